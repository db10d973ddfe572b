/**
 * The file-system half of a bundle: the recorded answers serialized as `snapshot/fs.json` plus
 * content members (`files/…` whole files, `heads/…` file heads), and the replaying
 * {@link FileSystemPort} that answers from them in bundle mode.
 *
 * Replay rules (docs/bundle.md "What a bundle carries"): `stat` answers the recorded stat, or
 * derives it from the recorded listing of the parent folder; `list` answers the recorded
 * listing; `readFile` returns the carried content when it is no larger than `maxBytes`;
 * `readHead` slices the content or the carried head. Anything never recorded is absent.
 *
 * Source: src/ports/file-system.ts; docs/bundle.md ("How it works: record, then replay").
 */
import { windowsBasename, windowsDirname, windowsPathKey } from "../paths/windows-path.js";
import type { CarriedPeFacts, DirEntry, FileStat, FileSystemPort } from "../ports/file-system.js";
import { READ_LIMITS } from "../limits.js";
import { BundleError } from "./errors.js";
import { MEMBER, memberForWindowsPath } from "./layout.js";
import { validatePeFacts } from "./pe-facts.js";
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
const fromIndexStat = (s: IndexStat): FileStat => ({
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

/** The replaying file-system port of bundle mode. */
export class BundleFileSystem implements FileSystemPort {
  readonly #byKey = new Map<string, FsIndexEntry>();
  /** Name indexes of directory listings, for `stat` of a listed child (O(1) instead of a scan). */
  readonly #listings = new WeakMap<object, Map<string, unknown>>();
  readonly #read: (member: string) => Promise<Uint8Array>;
  readonly #description: string;
  /** The carried PE facts by path key, once read. */
  #peFacts: Map<string, CarriedPeFacts> | undefined;

  /**
   * @param index - the validated `snapshot/fs.json`.
   * @param readMember - reads (and verifies) a member of the bundle.
   */
  constructor(index: FsIndex, readMember: (member: string) => Promise<Uint8Array>, description: string) {
    for (const e of index.entries) this.#byKey.set(windowsPathKey(e.path), e);
    this.#read = readMember;
    this.#description = description;
  }

  /** A directory listing by lower-cased name (first of each name), built once per listing. */
  #listed<T extends { name: string }>(list: T[]): Map<string, T> {
    let byName = this.#listings.get(list) as Map<string, T> | undefined;
    if (byName === undefined) {
      byName = new Map();
      for (const d of list) if (!byName.has(d.name.toLowerCase())) byName.set(d.name.toLowerCase(), d);
      this.#listings.set(list, byName);
    }
    return byName;
  }

  /** Paths whose content the bundle lists as not carried, with the reason. */
  omitted(): Array<{ path: string; reason: string }> {
    const out: Array<{ path: string; reason: string }> = [];
    for (const e of this.#byKey.values())
      if (e.content && "omitted" in e.content) out.push({ path: e.path, reason: e.content.omitted });
    return out;
  }

  /** Every carried whole file, as Windows path and member. */
  carriedFiles(): Array<{ path: string; member: string; size: number }> {
    const out: Array<{ path: string; member: string; size: number }> = [];
    for (const e of this.#byKey.values())
      if (e.content && "member" in e.content)
        out.push({ path: e.path, member: e.content.member, size: e.content.size });
    return out;
  }

  /** Every file whose bytes redaction withheld, as Windows path and size. */
  withheldFiles(): Array<{ path: string; size: number }> {
    const out: Array<{ path: string; size: number }> = [];
    for (const e of this.#byKey.values())
      if (e.content && "withheld" in e.content) out.push({ path: e.path, size: e.content.size });
    return out;
  }

  /**
   * The facts carried for a withheld PE file, read (and checked) from its facts member.
   * @throws BundleError `member-invalid` when the facts member is malformed or does not name the file.
   */
  async carriedPeFacts(path: string): Promise<CarriedPeFacts | undefined> {
    const e = this.#byKey.get(windowsPathKey(path));
    if (!e?.content || !("withheld" in e.content)) return undefined;
    if (this.#peFacts === undefined) {
      const member = e.content.facts;
      const bytes = await this.#read(member);
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
      } catch (err) {
        throw new BundleError("member-invalid", `${member} is not JSON: ${(err as Error).message}`, {
          path: member,
          cause: err,
        });
      }
      this.#peFacts = new Map(validatePeFacts(parsed, member).files.map((f) => [windowsPathKey(f.path), f]));
    }
    const facts = this.#peFacts.get(windowsPathKey(path));
    if (facts === undefined)
      throw new BundleError("member-invalid", `${e.content.facts} carries no facts for ${e.path}`, {
        path: e.content.facts,
      });
    // The record is the bundle's word, not a verdict computed here: say so wherever it is shown.
    return {
      ...facts,
      triage: {
        ...facts.triage,
        carried: {
          from: e.content.facts,
          note: "record carried in the bundle (the bytes were withheld by redaction), not computed here; the bundle is not authenticated",
        },
      },
    };
  }

  async stat(path: string): Promise<FileStat | undefined> {
    const e = this.#byKey.get(windowsPathKey(path));
    if (e?.stat !== undefined) return e.stat === null ? undefined : fromIndexStat(e.stat);
    const parent = this.#byKey.get(windowsPathKey(windowsDirname(path)));
    const name = windowsBasename(path).toLowerCase();
    const hit = parent?.list ? this.#listed(parent.list).get(name) : undefined;
    if (hit) return fromIndexStat(hit);
    if (e?.list) return { kind: "dir", size: 0 };
    if (e?.content) return { kind: "file", size: e.content.size };
    return undefined;
  }

  async list(path: string): Promise<DirEntry[] | undefined> {
    const e = this.#byKey.get(windowsPathKey(path));
    if (!e?.list) return undefined;
    return e.list.map((d) => ({ name: d.name, ...fromIndexStat(d) }));
  }

  async readFile(path: string, maxBytes: number = READ_LIMITS.peFileBytes): Promise<Uint8Array | undefined> {
    const e = this.#byKey.get(windowsPathKey(path));
    if (!e?.content || !("member" in e.content) || e.content.size > maxBytes) return undefined;
    return this.#read(e.content.member);
  }

  async readHead(path: string, length: number): Promise<Uint8Array | undefined> {
    const e = this.#byKey.get(windowsPathKey(path));
    if (e?.content && "member" in e.content) return (await this.#read(e.content.member)).subarray(0, length);
    if (e?.head) return (await this.#read(e.head.member)).subarray(0, length);
    return undefined;
  }

  describe(): string {
    return this.#description;
  }
}
