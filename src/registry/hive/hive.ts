/**
 * An open regf hive: the entry point of the hive parser. Keys are read lazily from the bytes on
 * each call (nothing is cached but the base block, the bin map and a name index of the keys
 * looked up through), so memory stays proportional to what the caller asks for.
 *
 * Source: msuhanov/regf "Windows registry file format specification"
 * (https://github.com/msuhanov/regf/blob/master/Windows%20registry%20file%20format%20specification.md).
 */
import type { RegValue } from "../../ports/registry.js";
import { RegistryError } from "../errors.js";
import { decodeRegValue } from "../model/value-codec.js";
import { regNameKey, splitKeyPath } from "../model/reg-tree.js";
import type { BaseBlock } from "./base-block.js";
import type { HiveRecovery } from "./replay-logs.js";
import { HiveContext, NULL_OFFSET, type HiveAnomaly, type HiveMode } from "./hive-context.js";
import { DEFAULT_HIVE_LIMITS, type HiveLimits } from "./limits.js";
import { KEY_HIVE_ENTRY, parseKeyNode, type KeyNode } from "./nk.js";
import { parseKeySecurity, type KeySecurity } from "./sk.js";
import { readSubkeyList } from "./subkey-list.js";
import { readValueList } from "./value-list.js";
import { parseKeyValue, type KeyValueRecord } from "./vk.js";

/**
 * Per open hive: `nk` offset of a key → its subkeys by upper-cased name (first of each name), for
 * {@link HiveKey.subkey}. Filled only for keys looked up through, so it stays proportional to
 * what the caller asks for; dropped with the hive.
 */
const childIndexes = new WeakMap<HiveContext, Map<number, Map<string, KeyNode>>>();

/** Options of {@link openHive}. */
export interface OpenHiveOptions {
  /**
   * `"strict"` (default) throws on the first inconsistency. `"permissive"` forgives what it can
   * (bad checksum, truncated bins, unreadable list entries and values, unallocated cells), skips
   * the damaged part and records it in {@link Hive.anomalies}.
   */
  mode?: HiveMode;
  /** Overrides of {@link DEFAULT_HIVE_LIMITS}. */
  limits?: Partial<HiveLimits>;
  /**
   * The report of the log replay that produced `bytes` ({@link replayHiveLogs}), kept as
   * {@link Hive.recovery}: the bytes are then not the file on disk.
   */
  recovery?: HiveRecovery;
}

/** One key of an open {@link Hive}. */
export class HiveKey {
  readonly #ctx: HiveContext;
  readonly #nk: KeyNode;
  /** Path relative to the hive root, components joined by `\`; `""` for the root. */
  readonly path: string;

  /** @internal Use {@link Hive.root} / {@link Hive.getKey}. */
  constructor(ctx: HiveContext, nk: KeyNode, path: string) {
    this.#ctx = ctx;
    this.#nk = nk;
    this.path = path;
  }

  /** Key name as stored. */
  get name(): string {
    return this.#nk.name;
  }
  /** Last write time (FILETIME of the `nk` record), or `undefined` when 0 or out of range. */
  get lastWritten(): Date | undefined {
    return this.#nk.lastWritten;
  }
  /** Cell offset of the `nk` record (relative to the hive bins). */
  get offset(): number {
    return this.#nk.offset;
  }
  /** `nk` flags (0x20 compressed name, 0x04 hive root, …). */
  get flags(): number {
    return this.#nk.flags;
  }
  /** Number of stable subkeys the `nk` record declares. */
  get subkeyCount(): number {
    return this.#nk.subkeyCount;
  }
  /** Number of values the `nk` record declares. */
  get valueCount(): number {
    return this.#nk.valueCount;
  }
  /**
   * The key's class name (UTF-16LE, `nk` class name length bytes of the class name cell), or
   * `undefined` when the key has none (length 0 or null offset) or, in permissive mode, when it is
   * unreadable. Few keys have one; `Control\Lsa\{JD,Skew1,GBG,Data}` in SYSTEM carry the boot key.
   * @throws RegistryError in strict mode: `bad-cell`, `truncated` (length past the cell).
   */
  get className(): string | undefined {
    const nk = this.#nk;
    if (nk.classNameLength === 0 || nk.classNameOffset === NULL_OFFSET) return undefined;
    return this.#ctx.guard(undefined, () => {
      const cell = this.#ctx.cell(nk.classNameOffset, "class name", this.path);
      this.#ctx.requireInCell(cell, cell.dataOffset, nk.classNameLength, "class name", this.path);
      return this.#ctx.reader.utf16(cell.dataOffset, nk.classNameLength, "class name");
    });
  }
  /** True when the `nk` record carries the hive-root flag (0x04). */
  get isHiveRoot(): boolean {
    return (this.#nk.flags & KEY_HIVE_ENTRY) !== 0;
  }

  #childPath(name: string): string {
    return this.path === "" ? name : `${this.path}\\${name}`;
  }

  /**
   * The subkeys in stored order (sorted by upper-case name in a well-formed hive).
   * Permissive mode skips unreadable entries (recorded as anomalies).
   * @throws RegistryError in strict mode, on any damaged list or `nk` cell.
   */
  subkeys(): HiveKey[] {
    return this.#subkeyNodes().map((child) => new HiveKey(this.#ctx, child, this.#childPath(child.name)));
  }

  #subkeyNodes(): KeyNode[] {
    const nk = this.#nk;
    // A count of 0 means no subkeys whatever the list offset says (Windows does not read the list then).
    if (nk.subkeyCount === 0) return [];
    const offsets = this.#ctx.guard<number[]>([], () => {
      if (nk.subkeyListOffset === NULL_OFFSET) {
        throw new RegistryError("bad-cell", `key declares ${nk.subkeyCount} subkeys but has no subkey list`, {
          offset: nk.offset + 4096,
          structure: "nk",
          path: this.path,
        });
      }
      const list = readSubkeyList(this.#ctx, nk.subkeyListOffset, this.path);
      if (list.length !== nk.subkeyCount) {
        this.#ctx.forgive(
          new RegistryError(
            "bad-cell",
            `key declares ${nk.subkeyCount} subkeys, its list holds ${list.length}`,
            {
              offset: nk.offset + 4096,
              structure: "nk",
              path: this.path,
            },
          ),
        );
      }
      return list;
    });
    const out: KeyNode[] = [];
    for (const off of offsets) {
      const child = this.#ctx.guard(undefined, () => parseKeyNode(this.#ctx, off, this.path));
      if (child) out.push(child);
    }
    return out;
  }

  /**
   * The direct subkey named `name` (case-insensitive), or `undefined`. The first lookup under a
   * key reads all its subkeys once and indexes them by name, so looking up each of n siblings in
   * turn costs O(n) `nk` reads, not O(n²).
   */
  subkey(name: string): HiveKey | undefined {
    let byNk = childIndexes.get(this.#ctx);
    if (byNk === undefined) {
      byNk = new Map();
      childIndexes.set(this.#ctx, byNk);
    }
    let byName = byNk.get(this.#nk.offset);
    if (byName === undefined) {
      byName = new Map();
      for (const child of this.#subkeyNodes()) {
        const k = regNameKey(child.name);
        if (!byName.has(k)) byName.set(k, child);
      }
      byNk.set(this.#nk.offset, byName);
    }
    const child = byName.get(regNameKey(name));
    return child && new HiveKey(this.#ctx, child, this.#childPath(child.name));
  }

  /** The raw `vk` records in stored order (permissive mode skips unreadable ones). */
  valueRecords(): KeyValueRecord[] {
    const nk = this.#nk;
    if (nk.valueCount === 0) return [];
    const offsets = this.#ctx.guard<number[]>([], () =>
      readValueList(this.#ctx, nk.valueListOffset, nk.valueCount, this.path),
    );
    const out: KeyValueRecord[] = [];
    for (const off of offsets) {
      const v = this.#ctx.guard(undefined, () => parseKeyValue(this.#ctx, off, this.path));
      if (v) out.push(v);
    }
    return out;
  }

  /** The values in stored order, decoded per {@link RegValue}. */
  values(): RegValue[] {
    return this.valueRecords().map((v) => decodeRegValue(v.name, v.type, v.data));
  }

  /** The value named `name` (case-insensitive; `""` = default value), or `undefined`. */
  value(name: string): RegValue | undefined {
    const k = regNameKey(name);
    return this.values().find((v) => regNameKey(v.name) === k);
  }

  /** The key's `sk` record, or `undefined` when it has none (or, permissive, when unreadable). */
  security(): KeySecurity | undefined {
    if (this.#nk.securityOffset === NULL_OFFSET) return undefined;
    return this.#ctx.guard(undefined, () => parseKeySecurity(this.#ctx, this.#nk.securityOffset, this.path));
  }
}

/** An open hive. Create with {@link openHive}. */
export class Hive {
  readonly #ctx: HiveContext;
  /**
   * How the hive's dirty file was replayed from its transaction logs before it was opened (see
   * {@link OpenHiveOptions.recovery}), or `undefined` when these bytes are the file as it is.
   */
  readonly recovery: HiveRecovery | undefined;
  /** The root key (its name varies: `$$$PROTO.HIV`, `ROOT`, `CsiTool-CreateHive-{…}`; paths ignore it). */
  readonly root: HiveKey;

  /** @internal Use {@link openHive}. */
  constructor(ctx: HiveContext, recovery?: HiveRecovery) {
    this.#ctx = ctx;
    this.recovery = recovery;
    const nk = parseKeyNode(ctx, ctx.baseBlock.rootCellOffset, "");
    if ((nk.flags & KEY_HIVE_ENTRY) === 0) {
      ctx.forgive(
        new RegistryError("bad-cell", "root key lacks the hive-root flag 0x04", {
          offset: nk.offset + 4096,
          structure: "nk",
          path: "",
        }),
      );
    }
    this.root = new HiveKey(ctx, nk, "");
  }

  /** The parsed base block. */
  get baseBlock(): BaseBlock {
    return this.#ctx.baseBlock;
  }
  /**
   * True when the primary and secondary sequence numbers of these bytes differ (changes may be in
   * `.LOG1`/`.LOG2`). A hive recovered from its logs is not dirty, though its file is: see
   * {@link Hive.recovery}.
   */
  get dirty(): boolean {
    return this.#ctx.baseBlock.dirty;
  }
  /** The parse mode. */
  get mode(): HiveMode {
    return this.#ctx.mode;
  }
  /** What permissive mode forgave so far (grows as keys are read; capped by `maxAnomalies`). */
  get anomalies(): readonly HiveAnomaly[] {
    return this.#ctx.anomalies;
  }
  /** Anomalies beyond `maxAnomalies`, counted but not kept. */
  get anomaliesDropped(): number {
    return this.#ctx.anomaliesDropped;
  }
  /** Cells read so far. */
  get cellsVisited(): number {
    return this.#ctx.cellsVisited;
  }
  /** Records `err` as an anomaly (used by walkers in permissive mode). */
  noteAnomaly(err: RegistryError): void {
    this.#ctx.record(err);
  }

  /** Throws `err` in strict mode; records it as an anomaly in permissive mode. */
  forgive(err: RegistryError): void {
    this.#ctx.forgive(err);
  }
  /** The caps in force. */
  get limits(): Readonly<HiveLimits> {
    return this.#ctx.limits;
  }

  /**
   * The key at `path` (backslash-separated, case-insensitive, relative to the root; `""` or `"\\"`
   * is the root), or `undefined` when it does not exist.
   * @throws RegistryError in strict mode when a damaged structure is met on the way.
   */
  getKey(path: string): HiveKey | undefined {
    const segments = splitKeyPath(path);
    if (segments.length > this.#ctx.limits.maxKeyDepth) return undefined;
    let cur: HiveKey | undefined = this.root;
    for (const seg of segments) {
      cur = cur.subkey(seg);
      if (cur === undefined) return undefined;
    }
    return cur;
  }
}

/**
 * Opens a regf hive held in `bytes` (not copied; do not mutate it while the hive is in use).
 * @throws RegistryError `bad-signature` (not `regf`), `truncated` (under 4 096 + 32 bytes, or no
 * readable bin), `bad-checksum` (strict), `bad-cell`/`bad-signature` (unreadable root key), …
 */
export function openHive(bytes: Uint8Array, options: OpenHiveOptions = {}): Hive {
  const limits: HiveLimits = { ...DEFAULT_HIVE_LIMITS, ...options.limits };
  const ctx = new HiveContext(bytes, options.mode ?? "strict", limits);
  return new Hive(ctx, options.recovery);
}

/** What {@link walkHive} passes to its visitor. */
export interface HiveWalkEntry {
  key: HiveKey;
  /** Depth below the walk's start key (0 = the start key). */
  depth: number;
}

/**
 * Depth-first, pre-order walk from `start` (default the root), children in the order `order`
 * gives (default stored order). A key whose `nk` cell was already reached (listed twice, by one
 * list or by two keys) is a `cycle`, and only its first listing is walked; deeper than
 * `maxKeyDepth` is `too-deep`; in permissive mode both are recorded and the branch skipped.
 * Terminates, in memory proportional to the hive: each `nk` cell is pushed at most once (so the
 * stack never holds more entries than the hive has `nk` cells, whatever lists repeat), and the
 * hive has finitely many cells.
 * @throws RegistryError in strict mode.
 */
export function walkHive(
  hive: Hive,
  visit: (entry: HiveWalkEntry) => void,
  options: { start?: HiveKey; order?: (keys: HiveKey[]) => HiveKey[] } = {},
): void {
  const start = options.start ?? hive.root;
  const reached = new Set<number>([start.offset]);
  const stack: HiveWalkEntry[] = [{ key: start, depth: 0 }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const { key, depth } = entry;
    visit(entry);
    const listed = key.subkeys();
    if (listed.length > 0 && depth + 1 > hive.limits.maxKeyDepth) {
      const err = new RegistryError("too-deep", `keys nested deeper than ${hive.limits.maxKeyDepth}`, {
        offset: key.offset + 4096,
        structure: "nk",
        path: key.path,
      });
      hive.forgive(err);
      continue;
    }
    let children: HiveKey[] = [];
    for (const child of listed) {
      if (reached.has(child.offset)) {
        hive.forgive(
          new RegistryError("cycle", `key cell 0x${child.offset.toString(16)} reached twice`, {
            offset: child.offset + 4096,
            structure: "nk",
            path: child.path,
          }),
        );
        continue;
      }
      reached.add(child.offset);
      children.push(child);
    }
    if (options.order) children = options.order(children);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ key: children[i]!, depth: depth + 1 });
  }
}
