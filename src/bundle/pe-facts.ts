/**
 * `snapshot/pe-facts.json`: what a redacted bundle carries *instead of* the bytes of a PE file
 * that holds a redacted value (a user name in a PDB path, an address in a version string).
 * Binaries are never edited, so such a file is withheld, and the bundle carries its hashes
 * (sha256, Authenticode sha256 authentihash), its size, the DLL names it imports (for the
 * side-loading search), its signature facts and its triage record, computed on the real bytes at
 * collection time and then redacted as text. `check --bundle` and `triage --bundle` use the
 * carried record where they would have triaged the bytes, so they reach the same verdicts.
 *
 * Source: docs/bundle.md ("Binaries are never edited").
 */
import { createHash } from "node:crypto";
import { authentihash } from "../authenticode/index.js";
import type { CarriedPeFacts } from "../ports/file-system.js";
import { parsePe } from "../pe/index.js";
import { stringifyJson } from "../report/index.js";
import type { TriageRecord } from "../triage/index.js";
import { BundleError } from "./errors.js";

const VERDICTS: readonly string[] = ["clean", "suspicious", "malicious", "error"];

/** `snapshot/pe-facts.json` (version 1). */
export interface PeFactsDoc {
  version: 1;
  files: CarriedPeFacts[];
}

/** Hashes and imports of `bytes` (the imports as the side-loading search parses them). */
export function peFactsOf(
  bytes: Uint8Array,
): Pick<CarriedPeFacts, "sha256" | "size" | "authentihash" | "imports"> {
  let imports: string[] = [];
  let hash: string | undefined;
  try {
    imports = parsePe(bytes).imports.map((m) => m.dll);
  } catch {
    // Not a PE the loader search would read: it imports nothing.
  }
  try {
    hash = authentihash(bytes, parsePe(bytes, { mode: "permissive" }), "sha256").digest;
  } catch {
    // No layout to hash: the triage record says why.
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return { sha256, size: bytes.length, imports, ...(hash ? { authentihash: hash } : {}) };
}

/** A triage record as JSON would carry it (bigints as decimal strings, bytes and dates as JSON gives them). */
export function jsonRecord(record: TriageRecord): TriageRecord {
  return JSON.parse(stringifyJson(record)) as TriageRecord;
}

/**
 * Checks the shape of a parsed `snapshot/pe-facts.json`.
 * @throws BundleError `member-invalid` naming the first bad entry.
 */
export function validatePeFacts(v: unknown, memberPath: string): PeFactsDoc {
  const doc = v as PeFactsDoc;
  const bad = (why: string) =>
    new BundleError("member-invalid", `${memberPath}: ${why}`, { path: memberPath });
  if (typeof v !== "object" || v === null || doc.version !== 1 || !Array.isArray(doc.files))
    throw bad("not a version 1 PE facts document");
  doc.files.forEach((f, i) => {
    const t = f?.triage as Partial<TriageRecord> | undefined;
    if (
      typeof f !== "object" ||
      f === null ||
      typeof f.path !== "string" ||
      typeof f.sha256 !== "string" ||
      !/^[0-9a-f]{64}$/.test(f.sha256) ||
      !Number.isSafeInteger(f.size) ||
      !Array.isArray(f.imports) ||
      !f.imports.every((x) => typeof x === "string") ||
      (f.authentihash !== undefined && typeof f.authentihash !== "string") ||
      typeof t !== "object" ||
      t === null ||
      typeof t.verdict !== "string" ||
      !VERDICTS.includes(t.verdict) ||
      !Array.isArray(t.indicators) ||
      t.sha256 !== f.sha256
    )
      throw bad(`entry ${i} is malformed`);
  });
  return doc;
}
