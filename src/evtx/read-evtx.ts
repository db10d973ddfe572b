/**
 * Reading an EVTX file: the file header, then each 64 KiB chunk, then each record of the chunk,
 * lazily. Damage is forgiven as far as the format allows and reported as anomalies:
 *
 * - a bad CRC32 (file header, chunk header, records) is reported and the data read anyway;
 * - a chunk without its signature is skipped (an all-zero chunk, never used, silently);
 * - a record whose frame is unsound (signature, size, trailing copy) ends its chunk: what
 *   follows cannot be located;
 * - a record whose BinXml is unsound is skipped, and the chunk goes on with the next record;
 * - a file cut short is read up to the last complete record.
 *
 * Only a file without the `ElfFile` header is refused (EvtxError `not-evtx`). Memory is one
 * chunk and its caches at a time, whatever the file size, with {@link iterateEvtxFile}. A reader
 * given an {@link EvtxRecordFilter} renders only the records it wants.
 *
 * Source: libyal "Windows XML Event Log (EVTX) format" (file layout, chunk and record headers).
 */
import { ByteReader } from "../util/byte-reader.js";
import type { EvtxAnomaly } from "./anomaly.js";
import { anomalyFrom } from "./anomaly.js";
import { ChunkBinXml } from "./binxml.js";
import { hasChunkSignature, isEmptyChunk, readChunkHeader } from "./chunk-header.js";
import { evtxOutOfBounds } from "./errors.js";
import type { EvtxFileHeader } from "./file-header.js";
import { readFileHeader } from "./file-header.js";
import { CHUNK_HEADER_SIZE, CHUNK_SIZE, FILE_HEADER_SIZE, MAX_ANOMALIES, MAX_CHUNKS } from "./limits.js";
import { eventIdAndProvider, type EventSummary } from "./event-summary.js";
import type { EvtxRecord, RecordFrame } from "./record.js";
import {
  hasRecordSignature,
  MIN_RECORD_SIZE,
  readRecord,
  readRecordFrame,
  RECORD_HEADER_SIZE,
} from "./record.js";

/**
 * Collects anomalies up to {@link MAX_ANOMALIES}, then one `anomaly-limit-reached`; or, made with
 * `{ discard: true }` for a caller that never reads them, keeps none, and the reader then skips
 * the work of finding those only it would report (the 64 KiB records CRC32 of each chunk).
 */
export class AnomalyLog {
  readonly list: EvtxAnomaly[] = [];
  /** True when anomalies are dropped unkept. */
  readonly discard: boolean;

  constructor(options: { discard?: boolean } = {}) {
    this.discard = options.discard ?? false;
  }

  add(anomaly: EvtxAnomaly): void {
    if (this.discard) return;
    if (this.list.length < MAX_ANOMALIES) this.list.push(anomaly);
    else if (this.list.length === MAX_ANOMALIES) {
      this.list.push({
        code: "anomaly-limit-reached",
        offset: anomaly.offset,
        structure: anomaly.structure,
        message: `more than ${MAX_ANOMALIES} anomalies; the rest are not listed`,
      });
    }
  }
}

/**
 * Which records a reader renders, judged from a record's event id and provider before the rest
 * of it is rendered (rendering is most of the reading's cost). `false` drops the record unread;
 * damage inside a dropped record is then not reported. A record whose id and provider cannot be
 * read without rendering it (an unusual layout, or damage) is rendered and yielded, so callers
 * still apply their own test to what they get.
 */
export type EvtxRecordFilter = (head: Pick<EventSummary, "eventId" | "provider">) => boolean;

/**
 * The records of one chunk, in file order.
 * @param chunk - the chunk's bytes (64 KiB, or less when the file is cut short).
 * @param base - file offset of the chunk.
 * @param filter - when given, records it refuses are skipped without being rendered.
 */
export function* readChunk(
  chunk: Uint8Array,
  base: number,
  chunkIndex: number,
  log: AnomalyLog,
  filter?: EvtxRecordFilter,
): Generator<EvtxRecord> {
  if (isEmptyChunk(chunk)) return;
  if (!hasChunkSignature(chunk)) {
    log.add({
      code: "bad-signature",
      offset: base,
      structure: "chunk header",
      message: `no ElfChnk signature at offset ${base}`,
    });
    return;
  }
  if (chunk.length < CHUNK_HEADER_SIZE) {
    log.add({
      code: "truncated",
      offset: base,
      structure: "chunk header",
      message: `chunk at offset ${base} is cut short`,
    });
    return;
  }
  const r = new ByteReader(chunk, evtxOutOfBounds(base));
  const header = readChunkHeader(r, { recordsChecksum: !log.discard });
  if (!header.headerChecksumValid) {
    log.add({
      code: "bad-crc",
      offset: base + 124,
      structure: "chunk header",
      message: `chunk ${chunkIndex}: header CRC32 mismatch`,
    });
  }
  const freeSpaceValid = header.freeSpaceOffset >= CHUNK_HEADER_SIZE && header.freeSpaceOffset <= CHUNK_SIZE;
  if (!freeSpaceValid) {
    log.add({
      code: "malformed",
      offset: base + 48,
      structure: "chunk header",
      message: `chunk ${chunkIndex}: free space offset ${header.freeSpaceOffset} is outside the chunk`,
    });
  } else if (header.recordsChecksumValid === false && header.freeSpaceOffset <= chunk.length) {
    log.add({
      code: "bad-crc",
      offset: base + 52,
      structure: "chunk header",
      message: `chunk ${chunkIndex}: records CRC32 mismatch`,
    });
  }
  const end = freeSpaceValid ? Math.min(header.freeSpaceOffset, chunk.length) : chunk.length;
  if (end < (freeSpaceValid ? header.freeSpaceOffset : 0)) {
    log.add({
      code: "truncated",
      offset: base + chunk.length,
      structure: "chunk",
      message: `chunk ${chunkIndex} is cut short`,
    });
  }
  const binxml = new ChunkBinXml(r, base);
  let p = CHUNK_HEADER_SIZE;
  while (p + MIN_RECORD_SIZE <= end) {
    if (!hasRecordSignature(r, p)) {
      log.add({
        code: "bad-signature",
        offset: base + p,
        structure: "record",
        message: `no record signature at offset ${base + p}`,
      });
      return;
    }
    let frame;
    try {
      frame = readRecordFrame(r, p, end, base);
    } catch (e) {
      log.add(anomalyFrom(e, base + p));
      return;
    }
    if (filter && !wanted(binxml, frame, p, filter)) {
      p += frame.size;
      continue;
    }
    let record: EvtxRecord | undefined;
    try {
      record = readRecord(binxml, frame, p, base, chunkIndex);
    } catch (e) {
      log.add(anomalyFrom(e, base + p));
    }
    if (record) yield record;
    p += frame.size;
  }
}

/** False when `filter` refuses the record whose frame is at `p`; true when it wants it or cannot tell. */
function wanted(binxml: ChunkBinXml, frame: RecordFrame, p: number, filter: EvtxRecordFilter): boolean {
  const head = binxml.readSystemHead(p + RECORD_HEADER_SIZE, p + frame.size - 4);
  return head === undefined || filter(eventIdAndProvider(head));
}

/**
 * The records of an EVTX file held in memory, lazily, in file order. Anomalies go to `log`.
 * @throws EvtxError `not-evtx` when the file header is missing.
 */
export function* iterateEvtx(
  bytes: Uint8Array,
  log: AnomalyLog = new AnomalyLog(),
  filter?: EvtxRecordFilter,
): Generator<EvtxRecord, EvtxFileHeader> {
  const header = readFileHeader(bytes, log.discard ? [] : log.list);
  let index = 0;
  for (let base = FILE_HEADER_SIZE; base < bytes.length && index < MAX_CHUNKS; base += CHUNK_SIZE, index++) {
    yield* readChunk(bytes.subarray(base, base + CHUNK_SIZE), base, index, log, filter);
  }
  return header;
}

/** The whole of an EVTX file, read eagerly: what a fuzz target or a small test calls. */
export interface EvtxLog {
  header: EvtxFileHeader;
  records: EvtxRecord[];
  anomalies: EvtxAnomaly[];
}

/**
 * Reads every record of an EVTX file held in memory.
 * @throws EvtxError `not-evtx` when the file header is missing; nothing else (damage inside the
 *   file becomes `anomalies`).
 */
export function readEvtx(bytes: Uint8Array): EvtxLog {
  const log = new AnomalyLog();
  const records: EvtxRecord[] = [];
  const it = iterateEvtx(bytes, log);
  for (;;) {
    const next = it.next();
    if (next.done) return { header: next.value, records, anomalies: log.list };
    records.push(next.value);
  }
}

/**
 * Random access to the bytes of a file: reads up to `length` bytes at byte offset `position`
 * into the start of `buffer` and answers how many it read (0 at the end). Adapters supply it
 * (src/adapters/host/evtx-file.ts reads a descriptor); the reader never opens anything itself.
 */
export type ReadAt = (buffer: Uint8Array, length: number, position: number) => Promise<number>;

/**
 * The records of an EVTX file behind `readAt`, lazily, reading one chunk (64 KiB) at a time:
 * memory stays flat whatever the file size. Anomalies go to `log`.
 * @throws EvtxError `not-evtx` when the file header is missing; `readAt`'s errors as is.
 */
export async function* iterateEvtxReader(
  readAt: ReadAt,
  log: AnomalyLog = new AnomalyLog(),
  filter?: EvtxRecordFilter,
): AsyncGenerator<EvtxRecord, EvtxFileHeader> {
  const head = new Uint8Array(FILE_HEADER_SIZE);
  const bytesRead = await readAt(head, FILE_HEADER_SIZE, 0);
  const header = readFileHeader(head.subarray(0, bytesRead), log.discard ? [] : log.list);
  const buffer = new Uint8Array(CHUNK_SIZE);
  for (let index = 0, base = FILE_HEADER_SIZE; index < MAX_CHUNKS; index++, base += CHUNK_SIZE) {
    const n = await readAt(buffer, CHUNK_SIZE, base);
    if (n === 0) break;
    yield* readChunk(buffer.subarray(0, n), base, index, log, filter);
  }
  return header;
}
