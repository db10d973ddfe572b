/**
 * The EVTX chunk header: the first 512 bytes of each 64 KiB chunk, `ElfChnk\0`, the record
 * number range, the offset of the free space, two CRC32s (header, records), the common string
 * offset array (64 buckets) and the template pointer array (32 buckets).
 *
 * Source: libyal "Windows XML Event Log (EVTX) format", section "Chunk header".
 */
import type { ByteReader } from "../util/byte-reader.js";
import { crc32 } from "./crc32.js";
import { CHUNK_HEADER_SIZE } from "./limits.js";

/** The fields of a chunk header a reader needs; offsets are relative to the chunk. */
export interface EvtxChunkHeader {
  firstRecordNumber: number;
  lastRecordNumber: number;
  firstRecordIdentifier: number;
  lastRecordIdentifier: number;
  /** Offset of the last record written. */
  lastRecordOffset: number;
  /** Offset of the first free byte after the records. */
  freeSpaceOffset: number;
  /**
   * Stored CRC32 of the records (bytes 512 to the free space) and whether it matches; `undefined`
   * when the reader was asked not to compute it (see {@link readChunkHeader}).
   */
  recordsChecksum: number;
  recordsChecksumValid: boolean | undefined;
  /** Stored CRC32 of bytes 0–119 and 128–511 and whether it matches. */
  headerChecksum: number;
  headerChecksumValid: boolean;
}

const SIGNATURE = [0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00]; // "ElfChnk\0"

/** True when `chunk` starts with `ElfChnk\0`. */
export function hasChunkSignature(chunk: Uint8Array): boolean {
  return chunk.length >= 8 && SIGNATURE.every((b, i) => chunk[i] === b);
}

/** True when the first 512 bytes are all zero (a chunk Windows has not used yet). */
export function isEmptyChunk(chunk: Uint8Array): boolean {
  const end = Math.min(chunk.length, CHUNK_HEADER_SIZE);
  for (let i = 0; i < end; i++) if (chunk[i] !== 0) return false;
  return true;
}

/**
 * Reads a chunk header. The caller has checked the signature.
 * @param options - `recordsChecksum: false` leaves the records CRC32 (over up to 64 KiB)
 *   uncomputed: `recordsChecksumValid` is then `undefined`.
 * @throws EvtxError `truncated` when the chunk is shorter than 512 bytes.
 */
export function readChunkHeader(r: ByteReader, options: { recordsChecksum?: boolean } = {}): EvtxChunkHeader {
  const s = "chunk header";
  r.require(0, CHUNK_HEADER_SIZE, s);
  const num = (o: number) => Number(r.u64(o, s));
  const freeSpaceOffset = r.u32(48, s);
  const headerChecksum = r.u32(124, s);
  const recordsChecksum = r.u32(52, s);
  const headerCrc = crc32(r.bytes(128, CHUNK_HEADER_SIZE - 128, s), crc32(r.bytes(0, 120, s)));
  const recordsEnd = Math.min(Math.max(freeSpaceOffset, CHUNK_HEADER_SIZE), r.size);
  return {
    firstRecordNumber: num(8),
    lastRecordNumber: num(16),
    firstRecordIdentifier: num(24),
    lastRecordIdentifier: num(32),
    lastRecordOffset: r.u32(44, s),
    freeSpaceOffset,
    recordsChecksum,
    recordsChecksumValid:
      options.recordsChecksum === false
        ? undefined
        : crc32(r.bytes(CHUNK_HEADER_SIZE, recordsEnd - CHUNK_HEADER_SIZE, s)) === recordsChecksum,
    headerChecksum,
    headerChecksumValid: headerCrc === headerChecksum,
  };
}
