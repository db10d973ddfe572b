/**
 * An EVTX event record: `**\0\0`, size, record identifier, written time (FILETIME), the BinXml
 * event, and a copy of the size at its end.
 *
 * Source: libyal "Windows XML Event Log (EVTX) format", section "Event record".
 */
import type { ByteReader } from "../util/byte-reader.js";
import type { ChunkBinXml, EvtxElement } from "./binxml.js";
import { EvtxError } from "./errors.js";
import { filetimeToIso } from "./values.js";

/** Bytes of the record header (signature, size, identifier, written time). */
export const RECORD_HEADER_SIZE = 24;
/** The smallest record: header, an EOF token's worth of BinXml, trailing size. */
export const MIN_RECORD_SIZE = 28;

/** One event record, rendered. */
export interface EvtxRecord {
  /** The record identifier (`EventRecordID`), what Event Viewer calls the record number. */
  recordNumber: number;
  /** When the record was written, ISO 8601 UTC with 100 ns precision. */
  writtenTime: string;
  /** File offset of the record. */
  offset: number;
  /** Index of the chunk holding it (0 = the chunk after the file header). */
  chunkIndex: number;
  /** The `Event` element. */
  event: EvtxElement;
}

/** Where the next record starts and what the record header says, before its BinXml is read. */
export interface RecordFrame {
  size: number;
  recordNumber: number;
  writtenTicks: bigint;
}

/**
 * True when a record signature `2A 2A 00 00` is at `p`.
 */
export function hasRecordSignature(r: ByteReader, p: number): boolean {
  return r.has(p, 4) && r.u32(p, "record") === 0x00002a2a;
}

/**
 * Reads and checks the frame of the record at `p` (chunk-relative), bounded by `end`.
 * @throws EvtxError `bad-signature`, `malformed` (size out of range or the trailing copy differs)
 *   or `truncated`.
 */
export function readRecordFrame(r: ByteReader, p: number, end: number, base: number): RecordFrame {
  const s = "record";
  if (!hasRecordSignature(r, p)) {
    throw new EvtxError("bad-signature", `no record signature at offset ${base + p}`, {
      offset: base + p,
      structure: s,
    });
  }
  const size = r.u32(p + 4, s);
  if (size < MIN_RECORD_SIZE || p + size > end) {
    throw new EvtxError("malformed", `record size ${size} at offset ${base + p} does not fit its chunk`, {
      offset: base + p + 4,
      structure: s,
    });
  }
  const copy = r.u32(p + size - 4, s);
  if (copy !== size) {
    throw new EvtxError("malformed", `record at offset ${base + p}: size ${size} but trailing copy ${copy}`, {
      offset: base + p + size - 4,
      structure: s,
    });
  }
  const id = r.u64(p + 8, s);
  if (id > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new EvtxError("malformed", `record identifier ${id} is out of range`, {
      offset: base + p + 8,
      structure: s,
    });
  }
  return { size, recordNumber: Number(id), writtenTicks: r.u64(p + 16, s) };
}

/** Renders the record whose frame is at `p`. @throws EvtxError from its BinXml. */
export function readRecord(
  binxml: ChunkBinXml,
  frame: RecordFrame,
  p: number,
  base: number,
  chunkIndex: number,
): EvtxRecord {
  const event = binxml.readRecordBody(p + RECORD_HEADER_SIZE, p + frame.size - 4);
  return {
    recordNumber: frame.recordNumber,
    writtenTime: filetimeToIso(frame.writtenTicks),
    offset: base + p,
    chunkIndex,
    event,
  };
}
