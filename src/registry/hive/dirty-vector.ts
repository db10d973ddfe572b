/**
 * The dirty vector of an old-format transaction log (Windows XP to 8): at offset 512, `DIRT` and a
 * bitmap with one bit per 512-byte page of the hive bins data (hive bins data size / 512 bits, bit
 * 0 the least significant of byte 0). The dirty pages follow from the next 512-byte boundary, one
 * 512-byte page per set bit, in bit order; page `i` goes to file offset 4 096 + 512 × i.
 *
 * Source: M. Suhanov, "Windows registry file format specification", section "Old format" →
 * "Dirty vector" and "Dirty pages"
 * (https://github.com/msuhanov/regf/blob/master/Windows%20registry%20file%20format%20specification.md).
 */
import type { ByteReader } from "../../util/byte-reader.js";
import { RegistryError } from "../errors.js";
import { HBIN_ALIGNMENT } from "./hbin.js";
import type { DirtyPage } from "./log-entry.js";

/** Offset of the dirty vector in an old-format log. */
export const DIRTY_VECTOR_OFFSET = 512;
/** Size of one page of an old-format log, in bytes. */
export const OLD_LOG_PAGE_SIZE = 512;

/**
 * The dirty pages an old-format log holds for a hive whose bins data is `hiveBinsDataSize` bytes
 * (from the log's base block). All or nothing: a log whose pages do not all fit is refused, since
 * a partial set of pages would mix two states of the hive.
 * @throws RegistryError `bad-log` (size not a non-zero multiple of 4 096), `bad-signature` (no
 * `DIRT`), `truncated` (bitmap or pages past the end of the log).
 */
export function readDirtyVector(r: ByteReader, hiveBinsDataSize: number): DirtyPage[] {
  const s = "dirty vector";
  if (hiveBinsDataSize === 0 || hiveBinsDataSize % HBIN_ALIGNMENT !== 0) {
    throw new RegistryError(
      "bad-log",
      `log base block hive bins data size ${hiveBinsDataSize} is not a multiple of 4096`,
      { offset: 40, structure: "log base block" },
    );
  }
  if (!r.has(DIRTY_VECTOR_OFFSET, 4) || r.u32(DIRTY_VECTOR_OFFSET, s) !== 0x54524944) {
    throw new RegistryError("bad-signature", "no 'DIRT' signature at offset 512 of the log", {
      offset: DIRTY_VECTOR_OFFSET,
      structure: s,
    });
  }
  const bits = hiveBinsDataSize / OLD_LOG_PAGE_SIZE;
  const bitmap = r.bytes(DIRTY_VECTOR_OFFSET + 4, bits / 8, s);
  const unaligned = DIRTY_VECTOR_OFFSET + 4 + bitmap.length;
  let logOffset = Math.ceil(unaligned / OLD_LOG_PAGE_SIZE) * OLD_LOG_PAGE_SIZE;
  let set = 0;
  for (const byte of bitmap) for (let b = byte; b !== 0; b &= b - 1) set++;
  if (!r.has(logOffset, set * OLD_LOG_PAGE_SIZE)) {
    throw new RegistryError(
      "truncated",
      `the dirty vector marks ${set} pages, more than the log's ${r.size - logOffset} bytes after it hold`,
      { offset: DIRTY_VECTOR_OFFSET, structure: s },
    );
  }
  const pages: DirtyPage[] = [];
  for (let i = 0; i < bits; i++) {
    if ((bitmap[i >>> 3]! & (1 << (i & 7))) === 0) continue;
    pages.push({ hiveOffset: i * OLD_LOG_PAGE_SIZE, logOffset, size: OLD_LOG_PAGE_SIZE });
    logOffset += OLD_LOG_PAGE_SIZE;
  }
  return pages;
}
