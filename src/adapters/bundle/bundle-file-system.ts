/**
 * The replaying {@link FileSystemPort} of bundle mode: it answers from a bundle's
 * `snapshot/fs.json` and content members (format: src/bundle/fs-index.ts).
 *
 * Replay rules (docs/bundle.md "How it works: record, then replay"): `stat` answers the recorded stat, or
 * derives it from the recorded listing of the parent folder; `list` answers the recorded
 * listing; `readFile` returns the carried content when it is no larger than `maxBytes`;
 * `readHead` slices the content or the carried head. Anything never recorded is absent.
 *
 * Source: src/ports/file-system.ts; docs/bundle.md ("Layout").
 */
import { windowsBasename, windowsDirname, windowsPathKey } from "../../paths/windows-path.js";
import type { BundleFileSystemPort, CarriedPeFacts, DirEntry, FileStat } from "../../ports/file-system.js";
import { READ_LIMITS } from "../../limits.js";
import { BundleError } from "../../bundle/errors.js";
import { fromIndexStat, type FsIndex, type FsIndexEntry } from "../../bundle/fs-index.js";
import { validatePeFacts } from "../../bundle/pe-facts.js";

/** The replaying file-system port of bundle mode. */
export class BundleFileSystem implements BundleFileSystemPort {
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
