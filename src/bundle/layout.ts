/**
 * Member names of the bundle layout (docs/bundle.md "Layout"): Windows paths become
 * `files/C/Program Files (x86)/…`; paths whose components cannot be member names safely become
 * `files/_/<sha256 of the path>`. The JSON indexes, not the names, are authoritative: the reader
 * never derives a Windows path from a member name.
 *
 * Source: docs/bundle.md.
 */
import { createHash } from "node:crypto";
import { normalizeWindowsPath } from "../paths/windows-path.js";

/** True when `s` holds a C0 control character or DEL. */
export function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Fixed member names. */
export const MEMBER = {
  manifest: "manifest.json",
  system: "system.json",
  check: "check.json",
  triage: "triage.json",
  office: "office.json",
  inventory: "inventory.json",
  defender: "defender.json",
  mapisvc: "mapisvc.json",
  logs: "logs/index.json",
  fsIndex: "snapshot/fs.json",
  /** Redacted bundles: facts of the PE files whose bytes redaction withheld. */
  peFacts: "snapshot/pe-facts.json",
  registryIndex: "registry/index.json",
  /** The relevant event-log records (src/bundle/collect/event-logs.ts). */
  events: "events/records.json",
} as const;

/** True when `seg` can be a member path component as is. */
function isSafeSegment(seg: string): boolean {
  return (
    seg !== "" &&
    seg !== "." &&
    seg !== ".." &&
    !hasControlChar(seg) &&
    !/[/\\:]/.test(seg) &&
    seg.length <= 200
  );
}

/**
 * The member name for Windows path `windowsPath` under folder `prefix` (`files`, `heads`, `logs`):
 * `C:\A\b.dll` → `files/C/A/b.dll`; a UNC or odd path → `files/_/<sha256>`.
 */
export function memberForWindowsPath(prefix: string, windowsPath: string): string {
  const norm = normalizeWindowsPath(windowsPath);
  const m = /^([A-Z]):\\(.*)$/.exec(norm);
  const segs = m ? [m[1]!, ...m[2]!.split("\\").filter((s) => s !== "")] : undefined;
  if (segs && segs.length > 1 && segs.every(isSafeSegment)) return `${prefix}/${segs.join("/")}`;
  return `${prefix}/_/${createHash("sha256").update(norm).digest("hex")}`;
}

/** A registry hive mount (`HKU\alice`) as a file-name part: `HKU-alice`, unsafe characters as `_`. */
export function hiveFileStem(hive: string): string {
  return hive
    .replace(/\\/g, "-")
    .replace(/[^A-Za-z0-9._ -]/g, "_")
    .slice(0, 120);
}
