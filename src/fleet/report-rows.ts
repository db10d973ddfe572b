/**
 * A host report (`check --json`, schema version 2) as the rows of the fleet store: one host, one
 * run, its findings, and the files it triaged (keyed by SHA-256, each with where this run saw it
 * and whether that is inside the connector's install folders). Pure: no database, no file.
 * Layout: docs/fleet.md "The store".
 *
 * The document arrives as untrusted JSON. Every field that becomes a row is read through a
 * checked accessor, so a wrong type, an unknown enum value, a run id that is not a UUID, a time
 * that is not ISO 8601 or a size that is not a safe integer is a {@link HostReportError} naming
 * the JSON pointer of the first offending value, never a database error or a crash. Fields the
 * store does not keep are not read. Text is made storable: PostgreSQL `text` and `jsonb` hold
 * neither U+0000 nor unpaired surrogates, so both become U+FFFD.
 *
 * Sources: the contract, schemas/check.schema.json and docs/json-contract.md; JSON Pointer,
 * https://www.rfc-editor.org/rfc/rfc6901; PostgreSQL character types ("The character with the
 * code zero cannot be stored"), https://www.postgresql.org/docs/current/datatype-character.html.
 */
import { HOST_ID_SOURCES } from "../check/facts.js";
import { windowsPathKey } from "../paths/windows-path.js";
import { loadKnowledge } from "../knowledge/index.js";
import { CodedError } from "../util/coded-error.js";

/** The rows one host report becomes. Every string is storable (no U+0000, well-formed UTF-16). */
export interface ReportRows {
  host: {
    hostId: string;
    idSource: string;
    computerName: string | null;
    domain: string | null;
    osProduct: string | null;
    osBuild: string | null;
    osVersion: string | null;
    user: string | null;
  };
  run: {
    /** Lower-case UUID. */
    runId: string;
    /** ISO 8601 in UTC (`…Z`, milliseconds), from the time the report wrote. */
    collectedAt: string;
    /** The file or bundle it came from. */
    origin: string;
    mode: string;
    source: string;
    toolVersion: string;
    schemaVersion: number;
    status: string;
    exitCode: number;
    connectorVersion: string | null;
    outlookVersion: string | null;
    outlookBitness: string | null;
  };
  findings: Array<{
    ordinal: number;
    checkId: string;
    severity: string;
    title: string;
    message: string;
    remedy: string | null;
    /** JSON text of an object, storable as `jsonb`. */
    evidence: string;
  }>;
  files: Array<{
    path: string;
    /** 64 lower-case hex digits. */
    sha256: string;
    /** Bytes, a safe integer. */
    size: number;
    verdict: string;
    signatureState: string | null;
    signer: string | null;
    fileVersion: string | null;
    machine: string | null;
    /** A MAPI provider DLL (`kofmsp*.dll`) by name. */
    provider: boolean;
    inInstall: boolean;
  }>;
}

/** A document that is not a host report ingest can store: `path` is the JSON pointer of the first problem. */
export class HostReportError extends CodedError<"not-a-host-report"> {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super("not-a-host-report", `${path === "" ? "/" : path}: ${problem}`);
  }
}

/** The schema version ingest reads. */
export const HOST_REPORT_SCHEMA_VERSION = 2;

const PROVIDER_NAMES = new Set(loadKnowledge().providerDllNames.map((n) => n.toLowerCase()));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const SHA256 = /^[0-9a-f]{64}$/i;
const SEVERITIES = ["info", "warning", "error", "critical"] as const;
const STATUSES = ["ok", ...SEVERITIES] as const;
const VERDICTS = ["error", "clean", "suspicious", "malicious"] as const;
const EXIT_CODES = new Set([0, 1, 2, 3, 4, 64, 70, 130]);
/** Any U+0000 or surrogate (a quick test); then U+0000 and the unpaired surrogates themselves. */
const MAYBE_UNSTORABLE = /[\0\uD800-\uDFFF]/;
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `s` as PostgreSQL text can hold it: U+0000 and unpaired surrogates become U+FFFD. */
export function storableText(s: string): string {
  return MAYBE_UNSTORABLE.test(s) ? s.replace(UNSTORABLE, "\uFFFD") : s;
}

/**
 * `value` as JSON text `jsonb` accepts: the `\u0000` escape and escapes of unpaired surrogates
 * (the only ones `JSON.stringify` writes for them) become `\ufffd`, in keys and values alike.
 * Escaped backslashes are matched as pairs, so a literal `\\u0000` is left alone.
 */
export function storableJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (!text.includes("\\u")) return text;
  return text.replace(/\\(\\|u0000|u[dD][89a-fA-F][0-9a-fA-F]{2})/g, (m, what: string) =>
    what === "\\" ? m : "\\ufffd",
  );
}

/**
 * {@link storableJson} of a finding's evidence; evidence nested too deep for `JSON.stringify`
 * (which runs out of stack at some thousands of levels) makes the report one to skip, not an
 * error that stops the ingest.
 * @throws HostReportError at `path`.
 */
function evidenceJson(value: Json, path: string): string {
  try {
    return storableJson(value);
  } catch (e) {
    if (e instanceof RangeError) throw new HostReportError(path, "nested too deep to store");
    throw e;
  }
}

type Json = Record<string, unknown>;

const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "an array" : `a ${typeof v}`);
const wrong = (path: string, want: string, v: unknown) =>
  new HostReportError(path, `expected ${want}, found ${typeName(v)}`);

/** `v` as a plain object, else a {@link HostReportError} at `path`. */
function object(v: unknown, path: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw wrong(path, "an object", v);
  return v as Json;
}

function array(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw wrong(path, "an array", v);
  return v;
}

function string(v: unknown, path: string): string {
  if (typeof v !== "string") throw wrong(path, "a string", v);
  return storableText(v);
}

/** An optional string: absent (or null) is null. */
function optString(v: unknown, path: string): string | null {
  return v === undefined || v === null ? null : string(v, path);
}

/** The decimal number of the ASCII digits `iso[at, at + n)` (DATE_TIME has checked they are digits). */
function digits(iso: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) v = v * 10 + iso.charCodeAt(i) - 0x30;
  return v;
}

/** Days in each month of a common year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether an ISO 8601 time matching DATE_TIME names a real day and clock time (Date.parse rolls 02-30 over to March). */
function isCalendarTime(iso: string): boolean {
  const y = digits(iso, 0, 4);
  const mo = digits(iso, 5, 2);
  const d = digits(iso, 8, 2);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = mo === 2 && leap ? 29 : MONTH_DAYS[mo - 1];
  return (
    days !== undefined &&
    d >= 1 &&
    d <= days &&
    digits(iso, 11, 2) < 24 &&
    digits(iso, 14, 2) < 60 &&
    digits(iso, 17, 2) < 60
  );
}

function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v))
    throw new HostReportError(
      path,
      `expected one of ${allowed.join(", ")}, found ${JSON.stringify(v) ?? typeName(v)}`,
    );
  return v as T;
}

function matching(v: unknown, path: string, re: RegExp, what: string): string {
  if (typeof v !== "string" || !re.test(v))
    throw new HostReportError(
      path,
      `expected ${what}, found ${typeName(v)}${typeof v === "string" ? ` ${JSON.stringify(v.slice(0, 80))}` : ""}`,
    );
  return v;
}

/** The connector version: the Uninstall entry's, else the provider DLL's file version. */
function connectorVersion(install: Json): string | null {
  const entries = array(install["uninstallEntries"], "/facts/install/uninstallEntries");
  for (const [i, e] of entries.entries()) {
    const v = optString(
      object(e, `/facts/install/uninstallEntries/${i}`)["displayVersion"],
      `/facts/install/uninstallEntries/${i}/displayVersion`,
    );
    if (v !== null) return v;
  }
  const dlls = array(install["providerDlls"], "/facts/install/providerDlls");
  for (const [i, d] of dlls.entries()) {
    const v = optString(
      object(d, `/facts/install/providerDlls/${i}`)["fileVersion"],
      `/facts/install/providerDlls/${i}/fileVersion`,
    );
    if (v) return v;
  }
  return null;
}

const CHECK_ID = /^[a-z0-9-]{1,64}$/;

/**
 * `f[key]` through a checked reader: ordinary values pass straight through; only a failure
 * builds the JSON pointer (`at`, then `within` if given, then `key`), so a report costs no
 * pointer string per field.
 */
function field<T>(
  f: Json,
  at: string,
  key: string,
  read: (v: unknown, path: string) => T,
  within?: string,
): T {
  const v = f[key];
  try {
    return read(v, "");
  } catch (e) {
    if (!(e instanceof HostReportError)) throw e;
    return read(v, `${at}${within === undefined ? "" : `/${within}`}/${key}`);
  }
}

const checkId = (v: unknown, path: string) => matching(v, path, CHECK_ID, "a check id");
const severity = (v: unknown, path: string) => oneOf(v, path, SEVERITIES);
const evidence = (v: unknown, path: string) => evidenceJson(object(v, path), path);

function findingRows(doc: Json): ReportRows["findings"] {
  const list = array(doc["findings"], "/findings");
  const rows: ReportRows["findings"] = [];
  for (let ordinal = 0; ordinal < list.length; ordinal++) {
    const at = `/findings/${ordinal}`;
    const f = object(list[ordinal], at);
    const remedy = f["remedy"];
    rows.push({
      ordinal,
      checkId: field(f, at, "id", checkId),
      severity: field(f, at, "severity", severity),
      title: field(f, at, "title", string),
      message: field(f, at, "message", string),
      remedy: remedy === null ? null : field(f, at, "remedy", string),
      evidence: field(f, at, "evidence", evidence),
    });
  }
  return rows;
}

/** Canonical lower-case Windows paths, memoised: a fleet repeats the same few thousand paths. */
const pathKeys = new Map<string, string>();
function pathKey(p: string): string {
  let key = pathKeys.get(p);
  if (key === undefined) {
    if (pathKeys.size >= 10_000) pathKeys.clear();
    key = windowsPathKey(p);
    pathKeys.set(p, key);
  }
  return key;
}

const verdict = (v: unknown, path: string) => oneOf(v, path, VERDICTS);
const sha256 = (v: unknown, path: string) => matching(v, path, SHA256, "a SHA-256 in hex");
const optObject = (v: unknown, path: string): Json => (v === undefined ? {} : object(v, path));

function fileRows(doc: Json, folderPaths: string[]): ReportRows["files"] {
  // As isUnderWindowsPath, with each folder's key (and that key as a prefix) computed once.
  const folders = folderPaths.map((f) => pathKey(f).replace(/\\$/, ""));
  const below = folders.map((f) => `${f}\\`);
  const seen = new Set<string>();
  const files: ReportRows["files"] = [];
  const triage = array(doc["triage"], "/triage");
  for (let i = 0; i < triage.length; i++) {
    const at = `/triage/${i}`;
    const t = object(triage[i], at);
    const v = field(t, at, "verdict", verdict);
    const where = field(t, at, "windowsPath", optString) ?? field(t, at, "path", string);
    // One row per path; a file that could not be read has no trustworthy hash to key it by.
    const lower = where.toLowerCase();
    if (seen.has(lower) || v === "error") continue;
    seen.add(lower);
    const key = pathKey(where);
    const size = t["size"];
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0)
      throw new HostReportError(
        `${at}/size`,
        `expected a byte count, found ${typeName(size)} ${String(size)}`,
      );
    const signature = field(t, at, "signature", optObject);
    const pe = field(t, at, "pe", optObject);
    const versionInfo = field(pe, at, "versionInfo", optObject, "pe");
    let inInstall = false;
    for (let k = 0; k < folders.length && !inInstall; k++)
      inInstall = key === folders[k] || key.startsWith(below[k]!);
    files.push({
      path: where,
      sha256: field(t, at, "sha256", sha256).toLowerCase(),
      size,
      verdict: v,
      signatureState: field(signature, at, "state", optString, "signature"),
      signer: field(signature, at, "signer", optString, "signature"),
      fileVersion: field(versionInfo, at, "fileVersion", optString, "pe/versionInfo"),
      machine: field(pe, at, "machine", optString, "pe"),
      provider: PROVIDER_NAMES.has(key.slice(key.lastIndexOf("\\") + 1)),
      inInstall,
    });
  }
  return files;
}

/**
 * The rows of `doc`, read from `origin` (a file or bundle path, for the record).
 * @throws HostReportError `not-a-host-report` with the JSON pointer of the first value ingest
 *   cannot store (the schema version first, so an old report says so).
 */
export function reportRows(input: unknown, origin: string): ReportRows {
  const doc = object(input, "");
  if (doc["schemaVersion"] !== HOST_REPORT_SCHEMA_VERSION)
    throw new HostReportError(
      "/schemaVersion",
      `schemaVersion ${JSON.stringify(doc["schemaVersion"]) ?? "absent"}; ${HOST_REPORT_SCHEMA_VERSION} is read`,
    );
  const tool = object(doc["tool"], "/tool");
  oneOf(tool["name"], "/tool/name", ["koff-doctor"]);
  const h = object(doc["host"], "/host");
  const summary = object(doc["summary"], "/summary");
  const exitCode = summary["exitCode"];
  if (typeof exitCode !== "number" || !EXIT_CODES.has(exitCode))
    throw new HostReportError(
      "/summary/exitCode",
      `expected a koff-doctor exit code, found ${typeName(exitCode)} ${String(exitCode)}`,
    );
  const written = matching(doc["collectedAt"], "/collectedAt", DATE_TIME, "an ISO 8601 time");
  const at = Date.parse(written);
  if (!Number.isFinite(at) || !isCalendarTime(written))
    throw new HostReportError("/collectedAt", `not a real time: ${written}`);
  // In UTC, so that times from reports written with different offsets compare as strings.
  const collectedAt = new Date(at).toISOString();
  const facts = object(doc["facts"], "/facts");
  const install = object(facts["install"], "/facts/install");
  const office = object(facts["office"], "/facts/office");
  const folders = array(install["folders"], "/facts/install/folders").map((f, i) =>
    string(f, `/facts/install/folders/${i}`),
  );
  const hostId = string(h["id"], "/host/id");
  if (hostId === "") throw new HostReportError("/host/id", "expected a host id, found an empty string");
  return {
    host: {
      hostId,
      idSource: oneOf(h["idSource"], "/host/idSource", HOST_ID_SOURCES),
      computerName: optString(h["computerName"], "/host/computerName"),
      domain: optString(h["domain"], "/host/domain"),
      osProduct: optString(h["osProduct"], "/host/osProduct"),
      osBuild: optString(h["osBuild"], "/host/osBuild"),
      osVersion: optString(h["osVersion"], "/host/osVersion"),
      user: optString(h["user"], "/host/user"),
    },
    run: {
      runId: matching(doc["runId"], "/runId", UUID, "a UUID").toLowerCase(),
      collectedAt,
      origin: storableText(origin),
      mode: oneOf(doc["mode"], "/mode", ["image", "live", "bundle"]),
      source: string(doc["source"], "/source"),
      toolVersion: string(tool["version"], "/tool/version"),
      schemaVersion: HOST_REPORT_SCHEMA_VERSION,
      status: oneOf(summary["status"], "/summary/status", STATUSES),
      exitCode,
      connectorVersion: connectorVersion(install),
      outlookVersion: optString(office["version"], "/facts/office/version"),
      outlookBitness:
        office["bitness"] === undefined
          ? null
          : oneOf(office["bitness"], "/facts/office/bitness", ["x86", "x64"]),
    },
    findings: findingRows(doc),
    files: fileRows(doc, folders),
  };
}
