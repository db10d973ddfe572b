/**
 * Builders of transaction logs for tests and for fixtures/hives/tools/write-dirty-hives.mjs: a
 * new-format log (`HvLE` entries with correct Marvin32 hashes), an old-format log (`DIRT` vector
 * and 512-byte pages), the pages in which two hives differ, and a hive made dirty. Everything is
 * deterministic: the same inputs give the same bytes.
 *
 * Source: M. Suhanov, "Windows registry file format specification", "Format of transaction log
 * files" (https://github.com/msuhanov/regf/blob/master/Windows%20registry%20file%20format%20specification.md).
 */
import { computeBaseBlockChecksum, marvin32 } from "../../src/registry/index.js";

/** A page to write at `hiveOffset` (relative to the hive bins). */
export interface LogPage {
  hiveOffset: number;
  bytes: Uint8Array;
}

/** One log entry to write. */
export interface LogEntrySpec {
  sequence: number;
  hiveBinsDataSize: number;
  pages: LogPage[];
  flags?: number;
  /** Overrides of the stored fields (after the hashes are computed, unless `rehash`). */
  corrupt?: {
    dirtyPagesCount?: number;
    hiveBinsDataSize?: number;
    hash1Xor?: bigint;
    /** XORed into the entry's last byte (a page byte or padding) after hashing: hash-1 no longer matches. */
    lastByteXor?: number;
    rehash?: boolean;
  };
}

const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** A 512-byte log base block copied from `hive`'s, with file type `fileType` and sequence `sequence`. */
export function logBaseBlock(
  hive: Uint8Array,
  fileType: number,
  sequence: number,
  hiveBinsDataSize?: number,
): Uint8Array {
  const b = hive.slice(0, 512);
  const v = dv(b);
  v.setUint32(4, sequence, true);
  v.setUint32(8, sequence, true);
  v.setUint32(28, fileType, true);
  if (hiveBinsDataSize !== undefined) v.setUint32(40, hiveBinsDataSize, true);
  v.setUint32(508, computeBaseBlockChecksum(b.subarray(0, 508)), true);
  return b;
}

/** One `HvLE` entry, padded to a multiple of 512 bytes, with both hashes computed. */
export function logEntry(spec: LogEntrySpec): Uint8Array {
  const data = spec.pages.reduce((n, p) => n + p.bytes.length, 0);
  const size = Math.ceil((40 + 8 * spec.pages.length + data) / 512) * 512;
  const e = new Uint8Array(size);
  const v = dv(e);
  e.set([0x48, 0x76, 0x4c, 0x45], 0); // HvLE
  v.setUint32(4, size, true);
  v.setUint32(8, spec.flags ?? 0, true);
  v.setUint32(12, spec.sequence, true);
  v.setUint32(16, spec.hiveBinsDataSize, true);
  v.setUint32(20, spec.pages.length, true);
  let at = 40 + 8 * spec.pages.length;
  spec.pages.forEach((p, i) => {
    v.setUint32(40 + 8 * i, p.hiveOffset, true);
    v.setUint32(44 + 8 * i, p.bytes.length, true);
    e.set(p.bytes, at);
    at += p.bytes.length;
  });
  const c = spec.corrupt;
  if (c?.rehash) applyCorruption(v, c);
  v.setBigUint64(24, marvin32(e.subarray(40)), true);
  v.setBigUint64(32, marvin32(e.subarray(0, 32)), true);
  if (c && !c.rehash) applyCorruption(v, c);
  return e;
}

function applyCorruption(v: DataView, c: NonNullable<LogEntrySpec["corrupt"]>): void {
  if (c.dirtyPagesCount !== undefined) v.setUint32(20, c.dirtyPagesCount, true);
  if (c.hiveBinsDataSize !== undefined) v.setUint32(16, c.hiveBinsDataSize, true);
  if (c.hash1Xor !== undefined) v.setBigUint64(24, v.getBigUint64(24, true) ^ c.hash1Xor, true);
  if (c.lastByteXor !== undefined) v.setUint8(v.byteLength - 1, v.getUint8(v.byteLength - 1) ^ c.lastByteXor);
}

/** A new-format log: base block (file type 6, sequence `sequence`) and the entries, back to back. */
export function newFormatLog(
  hive: Uint8Array,
  sequence: number,
  entries: LogEntrySpec[],
  trailing?: Uint8Array,
): Uint8Array {
  const parts = [logBaseBlock(hive, 6, sequence), ...entries.map(logEntry), ...(trailing ? [trailing] : [])];
  return concat(parts);
}

/** An old-format log: base block (file type 1), `DIRT` bitmap and the 512-byte pages in bit order. */
export function oldFormatLog(
  hive: Uint8Array,
  sequence: number,
  hiveBinsDataSize: number,
  pages: LogPage[],
): Uint8Array {
  const bits = hiveBinsDataSize / 512;
  const vector = new Uint8Array(Math.ceil((4 + bits / 8) / 512) * 512);
  vector.set([0x44, 0x49, 0x52, 0x54], 0); // DIRT
  const bySlot = new Map<number, Uint8Array>();
  for (const p of pages) {
    for (let off = 0; off < p.bytes.length; off += 512) {
      const slot = (p.hiveOffset + off) / 512;
      vector[4 + (slot >>> 3)]! |= 1 << (slot & 7);
      bySlot.set(slot, p.bytes.subarray(off, off + 512));
    }
  }
  const data = [...bySlot.keys()].sort((a, b) => a - b).map((k) => bySlot.get(k)!);
  return concat([logBaseBlock(hive, 1, sequence, hiveBinsDataSize), vector, ...data]);
}

/** The 4 096-byte pages of `after`'s hive bins that differ from `before`'s (or lie past its end). */
export function changedPages(before: Uint8Array, after: Uint8Array): LogPage[] {
  const out: LogPage[] = [];
  for (let at = 4096; at < after.length; at += 4096) {
    const a = after.subarray(at, at + 4096);
    const b = before.subarray(at, at + 4096);
    if (b.length === a.length && a.every((x, i) => x === b[i])) continue;
    out.push({ hiveOffset: at - 4096, bytes: a.slice() });
  }
  return out;
}

/** `hive` with its sequence numbers set to `primary`/`secondary` and its checksum fixed (a copy). */
export function withSequences(hive: Uint8Array, primary: number, secondary: number): Uint8Array {
  const b = hive.slice();
  const v = dv(b);
  v.setUint32(4, primary, true);
  v.setUint32(8, secondary, true);
  v.setUint32(508, computeBaseBlockChecksum(b.subarray(0, 508)), true);
  return b;
}

/** The hive bins data size stored in `hive`'s base block. */
export const hiveBinsDataSizeOf = (hive: Uint8Array): number => dv(hive).getUint32(40, true);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
