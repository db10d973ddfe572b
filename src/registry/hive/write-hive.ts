/**
 * The hive writer: serializes an in-memory {@link RegTreeKey} tree as a valid regf hive file.
 *
 * What it writes: the base block (version 1.5, equal sequence numbers unless asked otherwise,
 * XOR-32 checksum), hive bins of 4 096-byte multiples (a cell never spans bins; the tail of each
 * bin is one free cell), one `nk` per key (ASCII names compressed with flag 0x20, others UTF-16LE),
 * one shared `sk` cell referenced by every key, `lh` (or `lf`/`li`) subkey lists sorted by
 * upper-cased name, an `ri` index over leaves when a key has more than `riThreshold` subkeys, value
 * lists, `vk` cells (data of at most 4 bytes resident), and `db` big-data cells for data over 16
 * 344 bytes. Output is deterministic: the same tree and options give the same bytes.
 *
 * Its first use is the empty hive that `hivexregedit --merge` fills (fixtures/hives/build.sh).
 *
 * Source: msuhanov/regf "Windows registry file format specification" (base block, hive bin, cell,
 * key node, key value, key security, hash leaf, index root, big data;
 * https://github.com/msuhanov/regf/blob/master/Windows%20registry%20file%20format%20specification.md).
 */
import { RegistryError } from "../errors.js";
import { encodeUtf16le } from "../model/value-codec.js";
import { newRegTreeKey, regNameKey, type RegTreeKey, type RegTreeValue } from "../model/reg-tree.js";
import { BASE_BLOCK_SIZE, CHECKSUM_OFFSET, computeBaseBlockChecksum } from "./base-block.js";
import { BIG_DATA_SEGMENT_SIZE } from "./big-data.js";
import { dateToFiletime } from "./filetime.js";
import { HBIN_ALIGNMENT, HBIN_HEADER_SIZE } from "./hbin.js";
import { NULL_OFFSET } from "./hive-context.js";
import { lhHash } from "./lh-hash.js";
import { KEY_COMP_NAME, KEY_HIVE_ENTRY, KEY_NO_DELETE, NK_FIXED_SIZE } from "./nk.js";
import { defaultSecurityDescriptor } from "./security-descriptor.js";
import { DATA_RESIDENT, VALUE_COMP_NAME, VK_FIXED_SIZE } from "./vk.js";

/** Options of {@link writeHive}. */
export interface WriteHiveOptions {
  /** Name of the root key; default the tree root's name, or `"ROOT"` when it is empty. */
  rootName?: string;
  /**
   * Most subkeys in one `lh` list. A key with more subkeys gets an `ri` index cell over `lh`
   * leaves of at most this many entries. Default 512. Minimum 1.
   */
  riThreshold?: number;
  /**
   * Kind of leaf subkey list: `"lh"` (default, hash leaf, as Windows XP and later write), `"lf"`
   * (fast leaf with 4-character name hints, Windows 2000) or `"li"` (index leaf, plain offsets).
   */
  leafKind?: "lh" | "lf" | "li";
  /** Last-written time of keys lacking one, of the base block and first bin. Default 2024-01-01T00:00:00Z. */
  lastWritten?: Date;
  /** Primary sequence number. Default 1. */
  sequence?: number;
  /** Secondary sequence number; a value different from `sequence` writes a dirty hive. Default `sequence`. */
  secondarySequence?: number;
  /** Minor format version (major is 1). Default 5. Big data (`db`) needs 4 or more. */
  minorVersion?: number;
  /** The base block's file name field (at most 31 UTF-16 characters kept). Default `""`. */
  fileName?: string;
  /** The self-relative SECURITY_DESCRIPTOR of the shared `sk` cell. Default {@link defaultSecurityDescriptor}. */
  securityDescriptor?: Uint8Array;
}

const DEFAULT_TIME = new Date(Date.UTC(2024, 0, 1));

interface PendingCell {
  offset: number;
  cellSize: number;
  data: Uint8Array;
}

interface PendingBin {
  start: number;
  size: number;
  used: number;
  cells: PendingCell[];
}

/**
 * Allocates cells in hive bins. Cells are 8-byte aligned (size = payload + 4, rounded up to 8)
 * and never span bins; a cell larger than a fresh 4 KiB bin gets a bin of the next 4 KiB multiple.
 */
class CellAllocator {
  readonly bins: PendingBin[] = [];

  alloc(payloadSize: number): { offset: number; data: Uint8Array; view: DataView } {
    const cellSize = Math.ceil((payloadSize + 4) / 8) * 8;
    let bin = this.bins[this.bins.length - 1];
    if (bin === undefined || bin.used + cellSize > bin.size) {
      const start = bin === undefined ? 0 : bin.start + bin.size;
      const size = Math.max(
        HBIN_ALIGNMENT,
        Math.ceil((HBIN_HEADER_SIZE + cellSize) / HBIN_ALIGNMENT) * HBIN_ALIGNMENT,
      );
      bin = { start, size, used: HBIN_HEADER_SIZE, cells: [] };
      this.bins.push(bin);
    }
    const data = new Uint8Array(cellSize - 4);
    const offset = bin.start + bin.used;
    bin.cells.push({ offset, cellSize, data });
    bin.used += cellSize;
    return { offset, data, view: new DataView(data.buffer) };
  }

  /** Total size of all bins, in bytes. */
  get size(): number {
    const last = this.bins[this.bins.length - 1];
    return last === undefined ? 0 : last.start + last.size;
  }
}

/** Name bytes and whether they are compressed (ASCII only, so every reader agrees on Latin-1 vs Windows-1252). */
function encodeName(name: string): { bytes: Uint8Array; compressed: boolean } {
  let ascii = true;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) > 0x7f) ascii = false;
  if (ascii) {
    const bytes = new Uint8Array(name.length);
    for (let i = 0; i < name.length; i++) bytes[i] = name.charCodeAt(i);
    return { bytes, compressed: true };
  }
  return { bytes: encodeUtf16le(name), compressed: false };
}

/** Upper-case code-unit order, the order Windows keeps subkey lists in. */
function compareNames(a: string, b: string): number {
  const x = regNameKey(a);
  const y = regNameKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** An allocated cell: its offset in the bins, its payload and a view on it. */
type Cell = ReturnType<CellAllocator["alloc"]>;
/** A name's stored bytes, as {@link encodeName} gives them. */
type EncodedName = ReturnType<typeof encodeName>;
/** A subkey as its parent's list holds it: the child's `nk` offset and its name. */
interface SubkeyEntry {
  offset: number;
  name: string;
}

/** The state of one {@link writeHive} call: the options resolved, the cells, the shared `sk`. */
interface HiveWriter {
  readonly cells: CellAllocator;
  readonly riThreshold: number;
  readonly leafKind: "lh" | "lf" | "li";
  readonly minor: number;
  /** FILETIME of keys without a last-written time, of the base block and of the first bin. */
  readonly defaultTime: bigint;
  /** Offset of the one `sk` cell every key points at. */
  readonly skOffset: number;
  /** Keys written so far: the `sk` cell's reference count. */
  keyCount: number;
}

/**
 * Writes `tree` (its root is the hive root) as a regf hive.
 *
 * Cells are allocated in a fixed order, which makes the output deterministic: the root `nk`, the
 * `sk`, then depth first per key: each child's `nk` and everything below it (in subkey-list order),
 * the key's subkey list, its values and their data, its value list.
 * @returns the hive file bytes.
 * @throws RegistryError `unsupported` for names that cannot be stored (empty or containing `\`
 * key names, over 255/16 383 characters, duplicate names differing only in case).
 */
export function writeHive(tree: RegTreeKey, options: WriteHiveOptions = {}): Uint8Array {
  const cells = new CellAllocator();
  const sd = options.securityDescriptor ?? defaultSecurityDescriptor();
  const rootName = options.rootName ?? (tree.name === "" ? "ROOT" : tree.name);
  const rootNameEnc = encodeName(rootName);
  const rootCell = cells.alloc(NK_FIXED_SIZE + rootNameEnc.bytes.length);
  const skCell = cells.alloc(20 + sd.length);
  const writer: HiveWriter = {
    cells,
    riThreshold: Math.max(1, Math.floor(options.riThreshold ?? 512)),
    leafKind: options.leafKind ?? "lh",
    minor: options.minorVersion ?? 5,
    defaultTime: dateToFiletime(options.lastWritten ?? DEFAULT_TIME),
    skOffset: skCell.offset,
    keyCount: 0,
  };
  writeKey(writer, { ...tree, name: rootName }, rootCell, rootNameEnc, NULL_OFFSET, "", 0);
  fillSecurityCell(skCell, sd, writer.keyCount);

  const out = new Uint8Array(BASE_BLOCK_SIZE + cells.size);
  writeBins(out, cells.bins, writer.defaultTime);
  writeBaseBlock(out, {
    sequence: options.sequence ?? 1,
    secondarySequence: options.secondarySequence ?? options.sequence ?? 1,
    timestamp: writer.defaultTime,
    minor: writer.minor,
    rootOffset: rootCell.offset,
    binsSize: cells.size,
    fileName: options.fileName ?? "",
  });
  return out;
}

/**
 * Writes `key`'s `nk` into `nkCell` (already allocated) and everything below it: each child's
 * `nk` and subtree, then the key's subkey list, values and value list. The root is the key whose
 * `parentOffset` is {@link NULL_OFFSET}. Depth ≤ 512.
 * @throws RegistryError `too-deep` past 512 levels; `unsupported` for names that cannot be stored.
 */
function writeKey(
  w: HiveWriter,
  key: RegTreeKey,
  nkCell: Cell,
  nameEnc: EncodedName,
  parentOffset: number,
  path: string,
  depth: number,
): void {
  if (depth > 512) throw new RegistryError("too-deep", "keys nested deeper than 512", { path });
  w.keyCount++;
  const children: SubkeyEntry[] = [];
  let maxChildName = 0;
  for (const child of sortedSubkeys(key, path)) {
    checkKeyName(child.name, path);
    const enc = encodeName(child.name);
    const cell = w.cells.alloc(NK_FIXED_SIZE + enc.bytes.length);
    const childPath = path === "" ? child.name : `${path}\\${child.name}`;
    writeKey(w, child, cell, enc, nkCell.offset, childPath, depth + 1);
    children.push({ offset: cell.offset, name: child.name });
    maxChildName = Math.max(maxChildName, child.name.length * 2);
  }
  const listOffset = writeSubkeyList(w, children);
  const values = writeValues(w, key.values, path);
  fillKeyNode(nkCell, nameEnc, {
    isRoot: parentOffset === NULL_OFFSET,
    lastWritten: key.lastWritten ? dateToFiletime(key.lastWritten) : w.defaultTime,
    parentOffset,
    subkeyCount: children.length,
    subkeyListOffset: listOffset,
    valueCount: values.count,
    valueListOffset: values.listOffset,
    securityOffset: w.skOffset,
    maxSubkeyNameBytes: maxChildName,
    maxValueNameBytes: values.maxNameBytes,
    maxValueDataBytes: values.maxDataBytes,
  });
}

/**
 * `key`'s subkeys in subkey-list order (upper-cased names).
 * @throws RegistryError `unsupported` for two names equal case-insensitively.
 */
function sortedSubkeys(key: RegTreeKey, path: string): RegTreeKey[] {
  const children = [...key.subkeys].sort((a, b) => compareNames(a.name, b.name));
  for (let i = 1; i < children.length; i++) {
    if (compareNames(children[i - 1]!.name, children[i]!.name) === 0) {
      throw new RegistryError("unsupported", `duplicate subkey name ${JSON.stringify(children[i]!.name)}`, {
        path,
      });
    }
  }
  return children;
}

/**
 * Checks a subkey name can be stored: not empty, no `\\`, at most 255 characters (regf spec,
 * "Key node": key name length).
 * @throws RegistryError `unsupported` with the parent's `path`.
 */
function checkKeyName(name: string, path: string): void {
  if (name === "" || name.includes("\\") || name.length > 255) {
    throw new RegistryError("unsupported", `invalid key name ${JSON.stringify(name)}`, { path });
  }
}

/**
 * The subkey list of a key with `children` (already in list order): none ({@link NULL_OFFSET}),
 * one leaf, or over {@link HiveWriter.riThreshold} children an `ri` index root over leaves of at
 * most that many entries each (regf spec, "Subkeys list", "Index root").
 * @returns the list's cell offset, or {@link NULL_OFFSET}.
 */
function writeSubkeyList(w: HiveWriter, children: SubkeyEntry[]): number {
  if (children.length === 0) return NULL_OFFSET;
  if (children.length <= w.riThreshold) return writeLeaf(w, children);
  const leaves: number[] = [];
  for (let i = 0; i < children.length; i += w.riThreshold)
    leaves.push(writeLeaf(w, children.slice(i, i + w.riThreshold)));
  const ri = w.cells.alloc(4 + leaves.length * 4);
  ri.data[0] = 0x72; // 'r'
  ri.data[1] = 0x69; // 'i'
  ri.view.setUint16(2, leaves.length, true);
  leaves.forEach((o, i) => ri.view.setUint32(4 + i * 4, o, true));
  return ri.offset;
}

/**
 * One leaf list cell of {@link HiveWriter.leafKind} over `entries`, already sorted: `li` (offsets),
 * `lf` (offset and a 4-character name hint) or `lh` (offset and name hash) (regf spec, "Index
 * leaf", "Fast leaf", "Hash leaf").
 * @returns the cell offset.
 */
function writeLeaf(w: HiveWriter, entries: SubkeyEntry[]): number {
  const kind = w.leafKind;
  const width = kind === "li" ? 4 : 8;
  const leaf = w.cells.alloc(4 + entries.length * width);
  leaf.data[0] = 0x6c; // 'l'
  leaf.data[1] = kind === "lh" ? 0x68 : kind === "lf" ? 0x66 : 0x69;
  leaf.view.setUint16(2, entries.length, true);
  entries.forEach((e, i) => {
    leaf.view.setUint32(4 + i * width, e.offset, true);
    if (kind === "lh") leaf.view.setUint32(8 + i * 8, lhHash(e.name), true);
    if (kind === "lf") {
      // Name hint: the first 4 characters (code units truncated to a byte), zero-padded.
      for (let j = 0; j < 4 && j < e.name.length; j++) leaf.data[8 + i * 8 + j] = e.name.charCodeAt(j) & 0xff;
    }
  });
  return leaf.offset;
}

/** What a key's `nk` records about its values. */
interface ValuesWritten {
  count: number;
  /** Offset of the value list cell, or {@link NULL_OFFSET} when there are no values. */
  listOffset: number;
  /** Longest value name, in bytes as UTF-16 (2 per character). */
  maxNameBytes: number;
  /** Largest value data, in bytes. */
  maxDataBytes: number;
}

/**
 * Writes a key's values in order (each `vk` and its data), then the value list: an array of
 * `vk` offsets (regf spec, "Values list").
 * @throws RegistryError `unsupported` for a duplicate value name (case-insensitive), or from
 * {@link writeValue}.
 */
function writeValues(w: HiveWriter, values: readonly RegTreeValue[], path: string): ValuesWritten {
  const seen = new Set<string>();
  let maxNameBytes = 0;
  let maxDataBytes = 0;
  const offsets: number[] = [];
  for (const v of values) {
    const k = regNameKey(v.name);
    if (seen.has(k))
      throw new RegistryError("unsupported", `duplicate value name ${JSON.stringify(v.name)}`, { path });
    seen.add(k);
    offsets.push(writeValue(w, v, path));
    maxNameBytes = Math.max(maxNameBytes, v.name.length * 2);
    maxDataBytes = Math.max(maxDataBytes, v.data.length);
  }
  let listOffset = NULL_OFFSET;
  if (offsets.length > 0) {
    const vl = w.cells.alloc(offsets.length * 4);
    offsets.forEach((o, i) => vl.view.setUint32(i * 4, o, true));
    listOffset = vl.offset;
  }
  return { count: offsets.length, listOffset, maxNameBytes, maxDataBytes };
}

/**
 * One `vk` cell and its data (regf spec, "Key value"): data of at most 4 bytes is resident in the
 * data offset field (length flagged with {@link DATA_RESIDENT}); up to
 * {@link BIG_DATA_SEGMENT_SIZE} bytes, or any size before format 1.4, goes in one data cell;
 * larger data goes in big data segments ({@link writeBigData}).
 * @returns the `vk` cell offset.
 * @throws RegistryError `unsupported` for a name over 16 383 characters or data too large for big data.
 */
function writeValue(w: HiveWriter, v: RegTreeValue, path: string): number {
  if (v.name.length > 16383) {
    throw new RegistryError("unsupported", `value name longer than 16383 characters`, { path });
  }
  const name = encodeName(v.name);
  const vk = w.cells.alloc(VK_FIXED_SIZE + name.bytes.length);
  vk.data[0] = 0x76; // 'v'
  vk.data[1] = 0x6b; // 'k'
  vk.view.setUint16(2, name.bytes.length, true);
  const len = v.data.length;
  if (len <= 4) {
    vk.view.setUint32(4, (len | DATA_RESIDENT) >>> 0, true);
    vk.data.set(v.data, 8);
  } else if (len <= BIG_DATA_SEGMENT_SIZE || w.minor < 4) {
    const dc = w.cells.alloc(len);
    dc.data.set(v.data);
    vk.view.setUint32(4, len, true);
    vk.view.setUint32(8, dc.offset, true);
  } else {
    const dbOffset = writeBigData(w, v.data, path);
    vk.view.setUint32(4, len, true);
    vk.view.setUint32(8, dbOffset, true);
  }
  vk.view.setUint32(12, v.type >>> 0, true);
  vk.view.setUint16(16, name.compressed ? VALUE_COMP_NAME : 0, true);
  vk.data.set(name.bytes, VK_FIXED_SIZE);
  return vk.offset;
}

/**
 * Big data (regf spec, "Big data"): a `db` cell pointing at a list of segment offsets, each
 * segment a cell of at most {@link BIG_DATA_SEGMENT_SIZE} bytes of `data`.
 * @returns the `db` cell offset.
 * @throws RegistryError `unsupported` when `data` needs over 65 535 segments.
 */
function writeBigData(w: HiveWriter, data: Uint8Array, path: string): number {
  const len = data.length;
  const segments = Math.ceil(len / BIG_DATA_SEGMENT_SIZE);
  if (segments > 0xffff)
    throw new RegistryError("unsupported", `value data of ${len} bytes is too large for big data`, { path });
  const db = w.cells.alloc(8);
  const list = w.cells.alloc(segments * 4);
  for (let i = 0; i < segments; i++) {
    const part = data.subarray(i * BIG_DATA_SEGMENT_SIZE, Math.min(len, (i + 1) * BIG_DATA_SEGMENT_SIZE));
    // Each segment cell gets 4 bytes of slack after its data: hivex reads (cell size - 8) bytes
    // per segment, so an exact-size last segment would come out short there.
    const seg = w.cells.alloc(part.length + 4);
    seg.data.set(part);
    list.view.setUint32(i * 4, seg.offset, true);
  }
  db.data[0] = 0x64; // 'd'
  db.data[1] = 0x62; // 'b'
  db.view.setUint16(2, segments, true);
  db.view.setUint32(4, list.offset, true);
  return db.offset;
}

/** The fields of an `nk` cell that {@link fillKeyNode} sets; offsets are cell offsets. */
interface KeyNodeFields {
  isRoot: boolean;
  /** FILETIME. */
  lastWritten: bigint;
  parentOffset: number;
  subkeyCount: number;
  subkeyListOffset: number;
  valueCount: number;
  valueListOffset: number;
  securityOffset: number;
  /** Largest subkey name / value name, in bytes as UTF-16; largest value data, in bytes. */
  maxSubkeyNameBytes: number;
  maxValueNameBytes: number;
  maxValueDataBytes: number;
}

/**
 * Fills an `nk` cell (regf spec, "Key node"): signature, flags (compressed name; the root is
 * {@link KEY_HIVE_ENTRY} and {@link KEY_NO_DELETE} with no parent), time, counts and offsets
 * (volatile subkeys and class name none), the maximum name and data sizes, and the name.
 */
function fillKeyNode(nkCell: Cell, nameEnc: EncodedName, f: KeyNodeFields): void {
  const d = nkCell.view;
  nkCell.data[0] = 0x6e; // 'n'
  nkCell.data[1] = 0x6b; // 'k'
  const flags = (nameEnc.compressed ? KEY_COMP_NAME : 0) | (f.isRoot ? KEY_HIVE_ENTRY | KEY_NO_DELETE : 0);
  d.setUint16(2, flags, true);
  d.setBigUint64(4, f.lastWritten, true);
  d.setUint32(16, f.isRoot ? NULL_OFFSET : f.parentOffset, true);
  d.setUint32(20, f.subkeyCount, true);
  d.setUint32(28, f.subkeyListOffset, true);
  d.setUint32(32, NULL_OFFSET, true);
  d.setUint32(36, f.valueCount, true);
  d.setUint32(40, f.valueListOffset, true);
  d.setUint32(44, f.securityOffset, true);
  d.setUint32(48, NULL_OFFSET, true);
  d.setUint32(52, f.maxSubkeyNameBytes, true);
  d.setUint32(60, f.maxValueNameBytes, true);
  d.setUint32(64, f.maxValueDataBytes, true);
  d.setUint16(72, nameEnc.bytes.length, true);
  nkCell.data.set(nameEnc.bytes, NK_FIXED_SIZE);
}

/**
 * Fills the one shared `sk` cell (regf spec, "Key security"): a list of one, linked to itself,
 * referenced by all `keyCount` keys, holding the self-relative security descriptor `sd`.
 */
function fillSecurityCell(skCell: Cell, sd: Uint8Array, keyCount: number): void {
  skCell.data[0] = 0x73; // 's'
  skCell.data[1] = 0x6b; // 'k'
  skCell.view.setUint32(4, skCell.offset, true);
  skCell.view.setUint32(8, skCell.offset, true);
  skCell.view.setUint32(12, keyCount, true);
  skCell.view.setUint32(16, sd.length, true);
  skCell.data.set(sd, 20);
}

/**
 * Lays the bins out after the base block in `out` (regf spec, "Hive bin", "Cell"): each bin's
 * header (the first bin's timestamp is `timestamp`), its allocated cells (negative size, then
 * payload), and the rest of the bin as one free cell (positive size).
 */
function writeBins(out: Uint8Array, bins: readonly PendingBin[], timestamp: bigint): void {
  const v = new DataView(out.buffer, out.byteOffset, out.length);
  for (const [i, bin] of bins.entries()) {
    const at = BASE_BLOCK_SIZE + bin.start;
    out.set([0x68, 0x62, 0x69, 0x6e], at); // "hbin"
    v.setUint32(at + 4, bin.start, true);
    v.setUint32(at + 8, bin.size, true);
    if (i === 0) v.setBigUint64(at + 20, timestamp, true);
    for (const c of bin.cells) {
      v.setInt32(BASE_BLOCK_SIZE + c.offset, -c.cellSize, true);
      out.set(c.data, BASE_BLOCK_SIZE + c.offset + 4);
    }
    const free = bin.size - bin.used;
    if (free > 0) v.setInt32(at + bin.used, free, true);
  }
}

/** The fields of the base block that {@link writeBaseBlock} sets. */
interface BaseBlockFields {
  sequence: number;
  secondarySequence: number;
  /** FILETIME. */
  timestamp: bigint;
  minor: number;
  /** Root `nk` cell offset. */
  rootOffset: number;
  /** Total size of the hive bins, in bytes. */
  binsSize: number;
  /** Kept to its first 31 UTF-16 code units. */
  fileName: string;
}

/**
 * Writes the base block into `out[0..4096)` (regf spec, "Base block"): signature, sequence
 * numbers, timestamp, version 1.`minor`, primary file, direct memory load, root cell offset,
 * bins size, clustering factor 1, file name, and last the XOR-32 checksum of the first 508 bytes.
 */
function writeBaseBlock(out: Uint8Array, f: BaseBlockFields): void {
  const v = new DataView(out.buffer, out.byteOffset, out.length);
  out.set([0x72, 0x65, 0x67, 0x66], 0); // "regf"
  v.setUint32(4, f.sequence >>> 0, true);
  v.setUint32(8, f.secondarySequence >>> 0, true);
  v.setBigUint64(12, f.timestamp, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, f.minor, true);
  v.setUint32(28, 0, true); // primary file
  v.setUint32(32, 1, true); // direct memory load
  v.setUint32(36, f.rootOffset, true);
  v.setUint32(40, f.binsSize, true);
  v.setUint32(44, 1, true); // clustering factor
  out.set(encodeUtf16le(f.fileName.slice(0, 31)), 48);
  v.setUint32(CHECKSUM_OFFSET, computeBaseBlockChecksum(out.subarray(0, CHECKSUM_OFFSET)), true);
}

/** The empty seed hive `hivexregedit --merge` fills: base block, one bin, a root `nk` and the `sk`. */
export function writeEmptyHive(options: WriteHiveOptions = {}): Uint8Array {
  return writeHive(newRegTreeKey(options.rootName ?? "ROOT"), options);
}
