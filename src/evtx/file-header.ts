/**
 * The EVTX file header: the first 4,096 bytes, `ElfFile\0`, chunk counters, format version,
 * flags (dirty, full) and a CRC32 of its first 120 bytes.
 *
 * Source: libyal "Windows XML Event Log (EVTX) format", section "File header".
 */
import { ByteReader } from "../util/byte-reader.js";
import type { EvtxAnomaly } from "./anomaly.js";
import { crc32 } from "./crc32.js";
import { EvtxError, evtxOutOfBounds } from "./errors.js";

/** The fields of the file header a reader needs. Counters are numbers (they fit 2^53). */
export interface EvtxFileHeader {
  /** Index of the oldest chunk in use. */
  firstChunkNumber: number;
  /** Index of the newest chunk in use. */
  lastChunkNumber: number;
  /** Record identifier the next written record will get. */
  nextRecordIdentifier: number;
  majorVersion: number;
  minorVersion: number;
  /** Bytes before the first chunk (4,096). */
  headerBlockSize: number;
  /** Chunks the header says the file holds. */
  numberOfChunks: number;
  /** 0x1: dirty (not closed cleanly); 0x2: full. */
  flags: number;
  /** Stored CRC32 of bytes 0–119 and whether it matches. */
  checksum: number;
  checksumValid: boolean;
}

const SIGNATURE = [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]; // "ElfFile\0"

/**
 * Reads the file header from the first bytes of the file (at least 128 are needed).
 * @throws EvtxError `not-evtx` when the signature is missing or the header is cut short.
 */
export function readFileHeader(bytes: Uint8Array, anomalies: EvtxAnomaly[]): EvtxFileHeader {
  const r = new ByteReader(bytes, evtxOutOfBounds(0));
  if (bytes.length < 128 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new EvtxError("not-evtx", "no ElfFile signature: not an EVTX event log", {
      offset: 0,
      structure: "file header",
    });
  }
  const num = (o: number) => Number(r.u64(o, "file header"));
  const header: EvtxFileHeader = {
    firstChunkNumber: num(8),
    lastChunkNumber: num(16),
    nextRecordIdentifier: num(24),
    minorVersion: r.u16(36, "file header"),
    majorVersion: r.u16(38, "file header"),
    headerBlockSize: r.u16(40, "file header"),
    numberOfChunks: r.u16(42, "file header"),
    flags: r.u32(120, "file header"),
    checksum: r.u32(124, "file header"),
    checksumValid: false,
  };
  header.checksumValid = crc32(bytes.subarray(0, 120)) === header.checksum;
  if (!header.checksumValid) {
    anomalies.push({
      code: "bad-crc",
      offset: 124,
      structure: "file header",
      message: `file header CRC32 0x${header.checksum.toString(16)} does not match its bytes`,
    });
  }
  if (header.flags & 1) {
    anomalies.push({
      code: "dirty",
      offset: 120,
      structure: "file header",
      message: "the log was not closed cleanly (dirty flag): its header counters may be stale",
    });
  }
  return header;
}
