/**
 * The shape of journal records, checked field by field before a journal drives anything: an
 * edited or damaged journal with a field of the wrong type (a number for a path, an object for a
 * list, an operation index out of range) is `journal-corrupt`, never a crash.
 *
 * Source: model.ts (RunHeader, Operation, JournalRecord); docs/runbook.md ("Damaged runs").
 */
import { RunbookError } from "./errors.js";
import { STEP_IDS, type JournalRecord, type Operation, type RunHeader } from "./model.js";

type Json = Record<string, unknown>;

const SHA256 = /^[0-9a-f]{64}$/;

function corrupt(where: string, what: string): never {
  throw new RunbookError("journal-corrupt", `${where}: ${what}`);
}

function object(v: unknown, where: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) corrupt(where, "not an object");
  return v as Json;
}

function string(o: Json, key: string, where: string, optional = false): void {
  const v = o[key];
  if (optional && v === undefined) return;
  if (typeof v !== "string" || v.includes("\0")) corrupt(where, `${key} is not a string`);
}

function strings(o: Json, key: string, where: string): void {
  const v = o[key];
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string"))
    corrupt(where, `${key} is not a list of strings`);
}

function sha256(o: Json, key: string, where: string): void {
  if (typeof o[key] !== "string" || !SHA256.test(o[key])) corrupt(where, `${key} is not a sha256`);
}

const OPERATION_FIELDS: Record<Operation["kind"], string[]> = {
  move: ["what", "windowsPath", "from", "to"],
  "hive-edit": ["what", "key", "hive", "backup", "reg", "prefix"],
  mkdir: ["what", "windowsPath", "path"],
  "reg-delete-key": ["what", "key", "exportFile"],
  "reg-delete-value": ["what", "key", "name", "type", "data"],
  "defender-exclusion": ["what", "path"],
};

/** Checks one operation's fields. @throws RunbookError `journal-corrupt`. */
export function checkOperation(v: unknown, where: string): Operation {
  const op = object(v, where);
  const kind = op["kind"];
  if (typeof kind !== "string" || !Object.hasOwn(OPERATION_FIELDS, kind))
    corrupt(where, "unknown operation kind");
  for (const key of OPERATION_FIELDS[kind as Operation["kind"]]) string(op, key, where);
  if (kind === "hive-edit") sha256(op, "beforeSha256", where);
  if (kind === "move") {
    const manifest = op["manifest"];
    if (!Array.isArray(manifest)) corrupt(where, "manifest is not a list");
    manifest.forEach((m, i) => {
      const e = object(m, `${where}, manifest entry ${i}`);
      string(e, "path", `${where}, manifest entry ${i}`);
      sha256(e, "sha256", `${where}, manifest entry ${i}`);
      if (!Number.isSafeInteger(e["size"]) || (e["size"] as number) < 0)
        corrupt(`${where}, manifest entry ${i}`, "size is not a byte count");
    });
  }
  return op as unknown as Operation;
}

/** Checks a run header's fields (paths are checked for containment separately). */
export function checkHeader(v: unknown, where: string): RunHeader {
  const h = object(v, where);
  for (const key of ["runId", "mode", "source", "quarantine"]) string(h, key, where);
  for (const key of ["image", "profile"]) string(h, key, where, true);
  for (const key of ["createdDirs", "warnings", "guidance"]) strings(h, key, where);
  if (!(STEP_IDS as readonly unknown[]).includes(h["step"])) corrupt(where, "step is not a known step");
  if (!Array.isArray(h["operations"])) corrupt(where, "operations is not a list");
  h["operations"].forEach((op, i) => checkOperation(op, `${where}, operation ${i}`));
  return h as unknown as RunHeader;
}

const RECORD_TYPES = new Set([
  "run",
  "begin",
  "done",
  "complete",
  "undo-begin",
  "undo-op",
  "undo-op-done",
  "undone",
]);

/**
 * Checks a whole journal: a `run` header first and only first, then records whose operation
 * indexes name operations of that header.
 * @throws RunbookError `journal-corrupt`, naming the line.
 */
export function checkRecords(records: unknown[], file: string): JournalRecord[] {
  let operations = 0;
  records.forEach((v, i) => {
    const where = `${file} line ${i + 1}`;
    const r = object(v, where);
    const type = r["type"];
    if (typeof type !== "string" || !RECORD_TYPES.has(type)) corrupt(where, "unknown record type");
    if ((type === "run") !== (i === 0))
      corrupt(where, i === 0 ? "the journal does not start with its run header" : "a second run header");
    string(r, "at", where, true);
    if (type === "run") operations = checkHeader(r["header"], `${where}, header`).operations.length;
    if (type === "begin" || type === "done" || type === "undo-op" || type === "undo-op-done") {
      const op = r["op"];
      if (!Number.isSafeInteger(op) || (op as number) < 0 || (op as number) >= operations)
        corrupt(where, "op is not the index of one of the run's operations");
    }
    if (type === "done" && r["result"] !== undefined) {
      const result = object(r["result"], `${where}, result`);
      if (result["afterSha256"] !== undefined) sha256(result, "afterSha256", `${where}, result`);
      if (result["added"] !== undefined && typeof result["added"] !== "boolean")
        corrupt(`${where}, result`, "added is not a boolean");
    }
  });
  return records as JournalRecord[];
}
