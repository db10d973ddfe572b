/**
 * A log entry of a new-format transaction log (`HvLE`, Windows 8.1 and later). Entries follow the
 * log's 512-byte base block back to back, each a multiple of 512 bytes:
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 4 | signature `HvLE` |
 * | 4 | 4 | size of the entry, in bytes |
 * | 8 | 4 | flags (bit 0: the base block's KTM-locked flag) |
 * | 12 | 4 | sequence number (the base block's, once this entry is applied) |
 * | 16 | 4 | hive bins data size (a multiple of 4 096) |
 * | 20 | 4 | dirty pages count |
 * | 24 | 8 | hash-1: Marvin32 of bytes 40 … size (page references and pages) |
 * | 32 | 8 | hash-2: Marvin32 of bytes 0 … 32 (hash-1 included) |
 * | 40 | 8 × count | dirty page references: offset (relative to the hive bins), size |
 * | … | | the dirty pages, in reference order, without gaps |
 *
 * Source: M. Suhanov, "Windows registry file format specification", section "New format" → "Log
 * entries" and its notes 1–3 and 8
 * (https://github.com/msuhanov/regf/blob/master/Windows%20registry%20file%20format%20specification.md).
 */
import type { ByteReader } from "../../util/byte-reader.js";
import { RegistryError } from "../errors.js";
import { HBIN_ALIGNMENT } from "./hbin.js";
import { marvin32 } from "./marvin32.js";

/** Size of the fixed part of a log entry, in bytes. */
export const LOG_ENTRY_HEADER_SIZE = 40;
/** Log entries start at, and are sized in multiples of, this many bytes. */
export const LOG_SECTOR_SIZE = 512;

/** One dirty page of a log entry: where it goes and where its bytes are. */
export interface DirtyPage {
  /** Offset in the hive bins data (file offset − 4 096) the page is written to. */
  hiveOffset: number;
  /** Offset of the page's bytes in the log file. */
  logOffset: number;
  /** Bytes of the page. */
  size: number;
}

/** A log entry that passed every check (its pages may be applied). */
export interface LogEntry {
  /** File offset of the entry in its log. */
  offset: number;
  /** Size of the entry, in bytes. */
  size: number;
  /** Flags (bit 0 mirrors the base block's flag 0x1). */
  flags: number;
  sequence: number;
  /** Hive bins data size once the entry is applied, in bytes. */
  hiveBinsDataSize: number;
  /** The pages, in stored order (at most (size − 40) / 8). */
  pages: DirtyPage[];
}

/**
 * Whether the bytes at `offset` start a log entry (its signature); a log ends at the first place
 * that does not (remnants of older writes or zeros follow the last entry).
 */
export function isLogEntryAt(r: ByteReader, offset: number): boolean {
  if (!r.has(offset, LOG_ENTRY_HEADER_SIZE)) return false;
  return r.u32(offset, "log entry") === 0x454c7648; // "HvLE"
}

/**
 * Parses and checks the log entry at `offset` (which {@link isLogEntryAt} accepted): size, both
 * hashes, the hive bins data size (a non-zero multiple of 4 096, at most `maxHiveBinsDataSize`),
 * and each dirty page reference (inside the entry and inside the hive bins data size). Memory is
 * bounded by the log: the page list has one element per reference, and the references fit in the
 * entry, which fits in the log.
 * @throws RegistryError `bad-log` (impossible size or reference), `truncated` (the entry runs
 * past the log), `bad-hash`, `count-over-limit` (hive bins data size over the cap).
 */
export function parseLogEntry(r: ByteReader, offset: number, maxHiveBinsDataSize: number): LogEntry {
  const s = "log entry";
  const at = (field: number) => ({ offset: offset + field, structure: s });
  const size = r.u32(offset + 4, s);
  if (size < LOG_SECTOR_SIZE || size % LOG_SECTOR_SIZE !== 0) {
    throw new RegistryError("bad-log", `log entry size ${size} is not a positive multiple of 512`, at(4));
  }
  if (!r.has(offset, size)) {
    throw new RegistryError("truncated", `log entry of ${size} bytes runs past the end of the log`, at(4));
  }
  const hash2 = r.u64(offset + 32, s);
  if (marvin32(r.bytes(offset, 32, s)) !== hash2) {
    throw new RegistryError(
      "bad-hash",
      "log entry hash-2 (Marvin32 of its first 32 bytes) does not match",
      at(32),
    );
  }
  const hash1 = r.u64(offset + 24, s);
  const body = r.bytes(offset + LOG_ENTRY_HEADER_SIZE, size - LOG_ENTRY_HEADER_SIZE, s);
  if (marvin32(body) !== hash1) {
    throw new RegistryError(
      "bad-hash",
      "log entry hash-1 (Marvin32 of its page references and pages) does not match",
      at(24),
    );
  }
  const hiveBinsDataSize = r.u32(offset + 16, s);
  if (hiveBinsDataSize === 0 || hiveBinsDataSize % HBIN_ALIGNMENT !== 0) {
    throw new RegistryError(
      "bad-log",
      `log entry hive bins data size ${hiveBinsDataSize} is not a multiple of 4096`,
      at(16),
    );
  }
  if (hiveBinsDataSize > maxHiveBinsDataSize) {
    throw new RegistryError(
      "count-over-limit",
      `log entry hive bins data size ${hiveBinsDataSize} exceeds the ${maxHiveBinsDataSize} bytes this hive and its logs can hold`,
      at(16),
    );
  }
  const count = r.u32(offset + 20, s);
  const refsEnd = LOG_ENTRY_HEADER_SIZE + 8 * count;
  if (refsEnd > size) {
    throw new RegistryError(
      "bad-log",
      `log entry declares ${count} dirty pages, more references than its ${size} bytes hold`,
      at(20),
    );
  }
  const pages: DirtyPage[] = [];
  let logOffset = offset + refsEnd;
  for (let i = 0; i < count; i++) {
    const ref = offset + LOG_ENTRY_HEADER_SIZE + 8 * i;
    const hiveOffset = r.u32(ref, s);
    const pageSize = r.u32(ref + 4, s);
    // Dirty pages are whole 4 KiB pages (a reference may span several). This also bounds the
    // references an entry can hold by its size / 4096, whatever its count says.
    if (pageSize === 0 || pageSize % HBIN_ALIGNMENT !== 0 || hiveOffset % HBIN_ALIGNMENT !== 0) {
      throw new RegistryError(
        "bad-log",
        `dirty page ${i} (${pageSize} bytes at hive bins offset ${hiveOffset}) is not whole 4096-byte pages`,
        { offset: ref, structure: s },
      );
    }
    if (hiveOffset + pageSize > hiveBinsDataSize) {
      throw new RegistryError(
        "bad-log",
        `dirty page ${i} (${pageSize} bytes at hive bins offset ${hiveOffset}) lies past the hive bins data size ${hiveBinsDataSize}`,
        { offset: ref, structure: s },
      );
    }
    if (logOffset + pageSize > offset + size) {
      throw new RegistryError("bad-log", `dirty page ${i} runs past the end of its log entry`, {
        offset: ref,
        structure: s,
      });
    }
    pages.push({ hiveOffset, logOffset, size: pageSize });
    logOffset += pageSize;
  }
  return {
    offset,
    size,
    flags: r.u32(offset + 8, s),
    sequence: r.u32(offset + 12, s),
    hiveBinsDataSize,
    pages,
  };
}
