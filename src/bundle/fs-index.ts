/**
 * The file-system half of a bundle's format: the recorded answers serialized as
 * `snapshot/fs.json` plus content members (`files/…` whole files, `heads/…` file heads), and the
 * shape check the reader applies before replaying them (src/adapters/bundle/bundle-file-system.ts).
 *
 * Source: docs/bundle.md ("Layout").
 */
import type { FileStat } from "../ports/file-system.js";
import { BundleError } from "./errors.js";
import { MEMBER, memberForWindowsPath } from "./layout.js";
import type { RecordedFileSystem } from "./recording.js";

/** A stat or listing entry as JSON (mtime ISO 8601). */
export interface IndexStat {
  kind: "file" | "dir";
  size: number;
  mtime?: string;
}

/** A listing entry as JSON. */
export interface IndexDirEntry extends IndexStat {
  name: string;
}

/** One path of `snapshot/fs.json`. */
export interface FsIndexEntry {
  /** Windows path. */
  path: string;
  stat?: IndexStat | null;
  list?: IndexDirEntry[] | null;
  /**
   * The whole file: its member, or why it is not carried, or (redacted bundles) why redaction
   * withheld it and the member carrying its facts instead. `size` in bytes.
   */
  content?:
    | { member: string; size: number }
    | { omitted: string; size: number }
    | { withheld: string; facts: string; size: number };
  /** The first `length` bytes of the file. */
  head?: { member: string; length: number };
}

/** `snapshot/fs.json`. */
export interface FsIndex {
  version: 1;
  entries: FsIndexEntry[];
}

const toIndexStat = (s: FileStat): IndexStat => ({
  kind: s.kind,
  size: s.size,
  ...(s.mtime ? { mtime: s.mtime.toISOString() } : {}),
});
/** A JSON stat back as a {@link FileStat}. */
export const fromIndexStat = (s: IndexStat): FileStat => ({
  kind: s.kind,
  size: s.size,
  ...(s.mtime ? { mtime: new Date(s.mtime) } : {}),
});

/** Most file bytes one bundle carries, so any bundle `collect` writes stays under the reader's caps. */
export const MAX_CARRIED_BYTES = 64 * 1024 * 1024;

/**
 * Serializes recorded answers. Files larger than `maxFileBytes`, or past `maxTotalBytes` of
 * carried content, are listed with `omitted`.
 * @returns the index and the content members (name → bytes).
 */
export function serializeFileSystem(
  rec: RecordedFileSystem,
  maxFileBytes: number,
  maxTotalBytes = MAX_CARRIED_BYTES,
): { index: FsIndex; members: Map<string, Uint8Array> } {
  let carried = 0;
  const members = new Map<string, Uint8Array>();
  const entries: FsIndexEntry[] = [];
  const keys = [...rec.keys()].sort();
  for (const key of keys) {
    const r = rec.get(key)!;
    const e: FsIndexEntry = { path: r.path };
    if (r.stat !== undefined) e.stat = r.stat === null ? null : toIndexStat(r.stat);
    if (r.list !== undefined)
      e.list = r.list === null ? null : r.list.map((d) => ({ name: d.name, ...toIndexStat(d) }));
    if (r.withheld !== undefined)
      e.content = {
        withheld: "redaction: the file holds a redacted value; binaries are never edited",
        facts: MEMBER.peFacts,
        size: r.withheld.size,
      };
    else if (r.content !== undefined) {
      if (r.content.length > maxFileBytes)
        e.content = { omitted: `over the ${maxFileBytes}-byte cap`, size: r.content.length };
      else if (carried + r.content.length > maxTotalBytes)
        e.content = { omitted: `over the bundle's ${maxTotalBytes}-byte total`, size: r.content.length };
      else {
        carried += r.content.length;
        const member = memberForWindowsPath("files", r.path);
        members.set(member, r.content);
        e.content = { member, size: r.content.length };
      }
    }
    if (r.head !== undefined && !(e.content && "member" in e.content)) {
      const member = memberForWindowsPath("heads", r.path);
      members.set(member, r.head.subarray(0, Math.min(r.head.length, maxFileBytes)));
      e.head = { member, length: Math.min(r.head.length, maxFileBytes) };
    }
    entries.push(e);
  }
  return { index: { version: 1, entries }, members };
}

/** True for a JSON object (not null, not an array). */
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** True for a finite, non-negative safe integer. */
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function isIndexStat(v: unknown): v is IndexStat {
  const s = v as IndexStat;
  return (
    typeof v === "object" &&
    v !== null &&
    (s.kind === "file" || s.kind === "dir") &&
    isCount(s.size) &&
    (s.mtime === undefined || (typeof s.mtime === "string" && Number.isFinite(Date.parse(s.mtime))))
  );
}

/**
 * Checks the shape of a parsed `snapshot/fs.json`.
 * @throws BundleError `member-invalid` naming the first bad entry.
 */
export function validateFsIndex(v: unknown, memberPath: string): FsIndex {
  const bad = (why: string) =>
    new BundleError("member-invalid", `${memberPath}: ${why}`, { path: memberPath });
  const idx = v as FsIndex;
  if (typeof v !== "object" || v === null || idx.version !== 1 || !Array.isArray(idx.entries))
    throw bad("not a version 1 index");
  idx.entries.forEach((e: unknown, i) => {
    if (!isObject(e) || typeof e["path"] !== "string") throw bad(`entry ${i} has no path`);
    const stat = e["stat"];
    if (stat !== undefined && stat !== null && !isIndexStat(stat)) throw bad(`entry ${i}: bad stat`);
    const list = e["list"];
    if (list !== undefined && list !== null) {
      if (
        !Array.isArray(list) ||
        !list.every((d) => isIndexStat(d) && typeof (d as IndexDirEntry).name === "string")
      )
        throw bad(`entry ${i}: bad listing`);
    }
    const c = e["content"];
    if (c !== undefined) {
      if (!isObject(c) || !isCount(c["size"])) throw bad(`entry ${i}: bad content`);
      if (!(
        typeof c["member"] === "string" ||
        typeof c["omitted"] === "string" ||
        (typeof c["withheld"] === "string" && typeof c["facts"] === "string")
      ))
        throw bad(`entry ${i}: bad content`);
    }
    const h = e["head"];
    if (h !== undefined && (!isObject(h) || typeof h["member"] !== "string" || !isCount(h["length"])))
      throw bad(`entry ${i}: bad head`);
  });
  return idx;
}
