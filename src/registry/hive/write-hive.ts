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

/**
 * Writes `tree` (its root is the hive root) as a regf hive.
 * @returns the hive file bytes.
 * @throws RegistryError `unsupported` for names that cannot be stored (empty or containing `\`
 * key names, over 255/16 383 characters, duplicate names differing only in case).
 */
export function writeHive(tree: RegTreeKey, options: WriteHiveOptions = {}): Uint8Array {
  const riThreshold = Math.max(1, Math.floor(options.riThreshold ?? 512));
  const defaultTime = dateToFiletime(options.lastWritten ?? DEFAULT_TIME);
  const minor = options.minorVersion ?? 5;
  const cells = new CellAllocator();
  const sd = options.securityDescriptor ?? defaultSecurityDescriptor();

  const rootName = options.rootName ?? (tree.name === "" ? "ROOT" : tree.name);
  const rootNameEnc = encodeName(rootName);
  const rootCell = cells.alloc(NK_FIXED_SIZE + rootNameEnc.bytes.length);
  const skCell = cells.alloc(20 + sd.length);
  let keyCount = 0;

  const writeValue = (v: RegTreeValue, path: string): number => {
    if (v.name.length > 16383) {
      throw new RegistryError("unsupported", `value name longer than 16383 characters`, { path });
    }
    const name = encodeName(v.name);
    const vk = cells.alloc(VK_FIXED_SIZE + name.bytes.length);
    vk.data[0] = 0x76; // 'v'
    vk.data[1] = 0x6b; // 'k'
    vk.view.setUint16(2, name.bytes.length, true);
    const len = v.data.length;
    if (len <= 4) {
      vk.view.setUint32(4, (len | DATA_RESIDENT) >>> 0, true);
      vk.data.set(v.data, 8);
    } else if (len <= BIG_DATA_SEGMENT_SIZE || minor < 4) {
      const dc = cells.alloc(len);
      dc.data.set(v.data);
      vk.view.setUint32(4, len, true);
      vk.view.setUint32(8, dc.offset, true);
    } else {
      const segments = Math.ceil(len / BIG_DATA_SEGMENT_SIZE);
      if (segments > 0xffff)
        throw new RegistryError("unsupported", `value data of ${len} bytes is too large for big data`, {
          path,
        });
      const db = cells.alloc(8);
      const list = cells.alloc(segments * 4);
      for (let i = 0; i < segments; i++) {
        const part = v.data.subarray(
          i * BIG_DATA_SEGMENT_SIZE,
          Math.min(len, (i + 1) * BIG_DATA_SEGMENT_SIZE),
        );
        // Each segment cell gets 4 bytes of slack after its data: hivex reads (cell size - 8) bytes
        // per segment, so an exact-size last segment would come out short there.
        const seg = cells.alloc(part.length + 4);
        seg.data.set(part);
        list.view.setUint32(i * 4, seg.offset, true);
      }
      db.data[0] = 0x64; // 'd'
      db.data[1] = 0x62; // 'b'
      db.view.setUint16(2, segments, true);
      db.view.setUint32(4, list.offset, true);
      vk.view.setUint32(4, len, true);
      vk.view.setUint32(8, db.offset, true);
    }
    vk.view.setUint32(12, v.type >>> 0, true);
    vk.view.setUint16(16, name.compressed ? VALUE_COMP_NAME : 0, true);
    vk.data.set(name.bytes, VK_FIXED_SIZE);
    return vk.offset;
  };

  const leafKind = options.leafKind ?? "lh";
  /** One leaf list cell (`lh`, `lf` or `li`) over `entries`, already sorted. */
  const writeLeaf = (entries: Array<{ offset: number; name: string }>): number => {
    const width = leafKind === "li" ? 4 : 8;
    const leaf = cells.alloc(4 + entries.length * width);
    leaf.data[0] = 0x6c; // 'l'
    leaf.data[1] = leafKind === "lh" ? 0x68 : leafKind === "lf" ? 0x66 : 0x69;
    leaf.view.setUint16(2, entries.length, true);
    entries.forEach((e, i) => {
      leaf.view.setUint32(4 + i * width, e.offset, true);
      if (leafKind === "lh") leaf.view.setUint32(8 + i * 8, lhHash(e.name), true);
      if (leafKind === "lf") {
        // Name hint: the first 4 characters (code units truncated to a byte), zero-padded.
        for (let j = 0; j < 4 && j < e.name.length; j++)
          leaf.data[8 + i * 8 + j] = e.name.charCodeAt(j) & 0xff;
      }
    });
    return leaf.offset;
  };

  /** Writes `key`'s `nk` into `nkCell` (already allocated) and everything below it. Depth ≤ 512. */
  const writeKey = (
    key: RegTreeKey,
    nkCell: { offset: number; data: Uint8Array; view: DataView },
    nameEnc: { bytes: Uint8Array; compressed: boolean },
    parentOffset: number,
    isRoot: boolean,
    path: string,
    depth: number,
  ): void => {
    if (depth > 512) throw new RegistryError("too-deep", "keys nested deeper than 512", { path });
    keyCount++;
    const children = [...key.subkeys].sort((a, b) => compareNames(a.name, b.name));
    for (let i = 1; i < children.length; i++) {
      if (compareNames(children[i - 1]!.name, children[i]!.name) === 0) {
        throw new RegistryError("unsupported", `duplicate subkey name ${JSON.stringify(children[i]!.name)}`, {
          path,
        });
      }
    }
    const childEntries: Array<{ offset: number; name: string }> = [];
    let maxChildName = 0;
    for (const child of children) {
      if (child.name === "" || child.name.includes("\\") || child.name.length > 255) {
        throw new RegistryError("unsupported", `invalid key name ${JSON.stringify(child.name)}`, { path });
      }
      const enc = encodeName(child.name);
      const cell = cells.alloc(NK_FIXED_SIZE + enc.bytes.length);
      const childPath = path === "" ? child.name : `${path}\\${child.name}`;
      writeKey(child, cell, enc, nkCell.offset, false, childPath, depth + 1);
      childEntries.push({ offset: cell.offset, name: child.name });
      maxChildName = Math.max(maxChildName, child.name.length * 2);
    }
    let listOffset = NULL_OFFSET;
    if (childEntries.length > riThreshold) {
      const leaves: number[] = [];
      for (let i = 0; i < childEntries.length; i += riThreshold)
        leaves.push(writeLeaf(childEntries.slice(i, i + riThreshold)));
      const ri = cells.alloc(4 + leaves.length * 4);
      ri.data[0] = 0x72; // 'r'
      ri.data[1] = 0x69; // 'i'
      ri.view.setUint16(2, leaves.length, true);
      leaves.forEach((o, i) => ri.view.setUint32(4 + i * 4, o, true));
      listOffset = ri.offset;
    } else if (childEntries.length > 0) {
      listOffset = writeLeaf(childEntries);
    }

    const seen = new Set<string>();
    let maxValueName = 0;
    let maxValueData = 0;
    const valueOffsets: number[] = [];
    for (const v of key.values) {
      const k = regNameKey(v.name);
      if (seen.has(k))
        throw new RegistryError("unsupported", `duplicate value name ${JSON.stringify(v.name)}`, { path });
      seen.add(k);
      valueOffsets.push(writeValue(v, path));
      maxValueName = Math.max(maxValueName, v.name.length * 2);
      maxValueData = Math.max(maxValueData, v.data.length);
    }
    let valueListOffset = NULL_OFFSET;
    if (valueOffsets.length > 0) {
      const vl = cells.alloc(valueOffsets.length * 4);
      valueOffsets.forEach((o, i) => vl.view.setUint32(i * 4, o, true));
      valueListOffset = vl.offset;
    }

    const d = nkCell.view;
    nkCell.data[0] = 0x6e; // 'n'
    nkCell.data[1] = 0x6b; // 'k'
    const flags = (nameEnc.compressed ? KEY_COMP_NAME : 0) | (isRoot ? KEY_HIVE_ENTRY | KEY_NO_DELETE : 0);
    d.setUint16(2, flags, true);
    d.setBigUint64(4, key.lastWritten ? dateToFiletime(key.lastWritten) : defaultTime, true);
    d.setUint32(16, isRoot ? NULL_OFFSET : parentOffset, true);
    d.setUint32(20, childEntries.length, true);
    d.setUint32(28, listOffset, true);
    d.setUint32(32, NULL_OFFSET, true);
    d.setUint32(36, valueOffsets.length, true);
    d.setUint32(40, valueListOffset, true);
    d.setUint32(44, skCell.offset, true);
    d.setUint32(48, NULL_OFFSET, true);
    d.setUint32(52, maxChildName, true);
    d.setUint32(60, maxValueName, true);
    d.setUint32(64, maxValueData, true);
    d.setUint16(72, nameEnc.bytes.length, true);
    nkCell.data.set(nameEnc.bytes, NK_FIXED_SIZE);
  };

  writeKey({ ...tree, name: rootName }, rootCell, rootNameEnc, NULL_OFFSET, true, "", 0);

  // The one shared sk cell: a list of one, linked to itself.
  skCell.data[0] = 0x73; // 's'
  skCell.data[1] = 0x6b; // 'k'
  skCell.view.setUint32(4, skCell.offset, true);
  skCell.view.setUint32(8, skCell.offset, true);
  skCell.view.setUint32(12, keyCount, true);
  skCell.view.setUint32(16, sd.length, true);
  skCell.data.set(sd, 20);

  // Assemble the file.
  const binsSize = cells.size;
  const out = new Uint8Array(BASE_BLOCK_SIZE + binsSize);
  const v = new DataView(out.buffer);
  for (const [i, bin] of cells.bins.entries()) {
    const at = BASE_BLOCK_SIZE + bin.start;
    out.set([0x68, 0x62, 0x69, 0x6e], at); // "hbin"
    v.setUint32(at + 4, bin.start, true);
    v.setUint32(at + 8, bin.size, true);
    if (i === 0) v.setBigUint64(at + 20, defaultTime, true);
    for (const c of bin.cells) {
      v.setInt32(BASE_BLOCK_SIZE + c.offset, -c.cellSize, true);
      out.set(c.data, BASE_BLOCK_SIZE + c.offset + 4);
    }
    const free = bin.size - bin.used;
    if (free > 0) v.setInt32(at + bin.used, free, true);
  }
  const seq = options.sequence ?? 1;
  out.set([0x72, 0x65, 0x67, 0x66], 0); // "regf"
  v.setUint32(4, seq >>> 0, true);
  v.setUint32(8, (options.secondarySequence ?? seq) >>> 0, true);
  v.setBigUint64(12, defaultTime, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, minor, true);
  v.setUint32(28, 0, true); // primary file
  v.setUint32(32, 1, true); // direct memory load
  v.setUint32(36, rootCell.offset, true);
  v.setUint32(40, binsSize, true);
  v.setUint32(44, 1, true); // clustering factor
  const fileName = encodeUtf16le((options.fileName ?? "").slice(0, 31));
  out.set(fileName, 48);
  v.setUint32(CHECKSUM_OFFSET, computeBaseBlockChecksum(out.subarray(0, CHECKSUM_OFFSET)), true);
  return out;
}

/** The empty seed hive `hivexregedit --merge` fills: base block, one bin, a root `nk` and the `sk`. */
export function writeEmptyHive(options: WriteHiveOptions = {}): Uint8Array {
  return writeHive(newRegTreeKey(options.rootName ?? "ROOT"), options);
}
