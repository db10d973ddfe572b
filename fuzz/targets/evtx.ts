/**
 * Target `evtx`: Windows XML Event Logs from fixtures/evtx, cut to the file header and their first
 * one or two chunks so a case stays small, read whole by {@link readEvtx} and every record
 * summarized as `koff-doctor events` prints it. Field-aware mutations hit the chunk header (record
 * numbers, last record offset, free space offset, string and template tables), record sizes (the
 * leading size and its trailing copy), BinXml tokens at a record's start and inside it, and the
 * definition offset of template instances (pointed at other records, the chunk header, itself,
 * past the chunk); the chunk header CRC is recomputed half the time so the header is also read as
 * sound.
 *
 * Source: libyal "Windows XML Event Log (EVTX) format" (chunk header, event record, BinXml,
 * template instance); docs/evtx.md. Each case is read twice: whole ({@link readEvtx}), and streamed
 * chunk by chunk with a record filter as `check --image` reads logs ({@link iterateEvtxReader}).
 */
import path from "node:path";
import {
  AnomalyLog,
  crc32,
  EvtxError,
  iterateEvtxReader,
  readEvtx,
  summarizeRecord,
  type ReadAt,
} from "../../src/evtx/index.js";
import { INTERESTING_16, INTERESTING_32, INTERESTING_8, putLe, type Rng } from "../mutate.js";
import { extraSeedFiles, FIXTURES, readSeedFiles, startsWith } from "../seeds.js";
import type { FuzzTarget } from "../target.js";

const FILE_HEADER = 4096;
const CHUNK = 65536;
const CHUNK_HEADER = 512;

/** Chunk-header fields (offset, width): record numbers and ids, header size, last record and free space offsets, CRCs. */
const HEADER_FIELDS: ReadonlyArray<[number, 1 | 2 | 4]> = [
  [8, 4],
  [16, 4],
  [24, 4],
  [32, 4],
  [40, 4],
  [44, 4],
  [48, 4],
  [52, 4],
  [124, 4],
];

/** Offsets of `**\0\0` record signatures in the chunk at `base` (up to 512). */
function records(b: Uint8Array, base: number): number[] {
  const out: number[] = [];
  const end = Math.min(b.length - 8, base + CHUNK);
  for (let p = base + CHUNK_HEADER; p < end && out.length < 512; p += 8)
    if (b[p] === 0x2a && b[p + 1] === 0x2a && b[p + 2] === 0 && b[p + 3] === 0) out.push(p);
  return out;
}

/** Offsets of template-instance tokens (0x0c followed by a plausible definition offset) in the chunk at `base`. */
function templateInstances(b: Uint8Array, base: number): number[] {
  const out: number[] = [];
  const end = Math.min(b.length - 10, base + CHUNK);
  for (let p = base + CHUNK_HEADER; p < end && out.length < 512; p++) {
    if (b[p] !== 0x0c) continue;
    const off = b[p + 6]! | (b[p + 7]! << 8) | (b[p + 8]! << 16) | (b[p + 9]! << 24);
    if (off >= CHUNK_HEADER && off < CHUNK) out.push(p);
  }
  return out;
}

/** Recomputes the chunk header CRC32 (bytes 0–119 and 128–511) of the chunk at `base`. */
function fixHeaderCrc(b: Uint8Array, base: number): void {
  if (base + CHUNK_HEADER > b.length) return;
  const covered = new Uint8Array(120 + 384);
  covered.set(b.subarray(base, base + 120), 0);
  covered.set(b.subarray(base + 128, base + CHUNK_HEADER), 120);
  putLe(b, base + 124, 4, crc32(covered));
}

/** One field-aware mutation of an EVTX file. */
export function mutateEvtx(bytes: Uint8Array, rng: Rng): Uint8Array {
  const out = bytes.slice();
  const chunks: number[] = [];
  for (let c = FILE_HEADER; c + CHUNK_HEADER <= out.length; c += CHUNK) chunks.push(c);
  if (chunks.length === 0) return out;
  for (let n = 1 + rng.below(3); n > 0; n--) {
    const base = rng.pick(chunks);
    const recs = records(out, base);
    const kind = rng.below(6);
    if (kind === 0) {
      // A chunk header field.
      const [at, width] = rng.pick(HEADER_FIELDS);
      const value = rng.chance(0.5)
        ? rng.pick(INTERESTING_32)
        : rng.pick([CHUNK_HEADER, CHUNK, CHUNK - 1, CHUNK + 8, ...recs.map((r) => r - base)]);
      putLe(out, base + at, width, value);
    } else if (kind === 1) {
      // The string (128, 64 entries) or template (384, 32 entries) table: offsets to other places.
      const at = rng.chance(0.5) ? 128 + 4 * rng.below(64) : 384 + 4 * rng.below(32);
      const value = rng.chance(0.5)
        ? rng.pick(INTERESTING_32)
        : rng.pick([0, 1, CHUNK_HEADER, CHUNK - 2, ...recs.map((r) => r - base + rng.below(64))]);
      putLe(out, base + at, 4, value);
    } else if (kind === 2 && recs.length > 0) {
      // A record's size, or its trailing copy.
      const r = rng.pick(recs);
      const size = out[r + 4]! | (out[r + 5]! << 8) | (out[r + 6]! << 16) | (out[r + 7]! << 24);
      const value = rng.chance(0.5) ? rng.pick(INTERESTING_32) : size + (rng.below(9) - 4) * 8;
      if (rng.chance(0.3) && size > 8 && r + size <= out.length) putLe(out, r + size - 4, 4, value);
      else {
        putLe(out, r + 4, 4, value);
        if (rng.chance(0.5) && value > 8 && r + value <= out.length) putLe(out, r + value - 4, 4, value);
      }
    } else if (kind === 3 && recs.length > 0) {
      // A BinXml token: at the record's start (fragment header) or anywhere inside it.
      const r = rng.pick(recs);
      const at = rng.chance(0.3) ? r + 24 + rng.below(4) : r + 24 + rng.below(512);
      if (at < out.length)
        out[at] = rng.chance(0.7) ? rng.below(0x10) | (rng.chance(0.3) ? 0x40 : 0) : rng.pick(INTERESTING_8);
    } else if (kind === 4) {
      // A template instance's definition offset: another record, the header, itself, past the chunk.
      const list = templateInstances(out, base);
      if (list.length === 0) continue;
      const t = rng.pick(list);
      const value = rng.pick([
        t - base,
        t - base + 10,
        t - base - 24,
        0,
        CHUNK_HEADER,
        CHUNK - 4,
        CHUNK,
        0xffffffff,
        ...recs.map((r) => r - base + 24 + rng.below(32)),
      ]);
      putLe(out, t + 6, 4, value);
    } else {
      // A 16-bit count or length inside a record (names, substitution sizes, element sizes).
      if (recs.length === 0) continue;
      const r = rng.pick(recs);
      putLe(out, r + 24 + rng.below(1024), 2, rng.pick(INTERESTING_16));
    }
    if (rng.chance(0.5)) fixHeaderCrc(out, base);
  }
  return out;
}

/** The fixture logs (and `KOFF_FUZZ_SEEDS` logs) cut to their file header and first one or two chunks. */
function seeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const extra = extraSeedFiles((_, head) => startsWith(head, "ElfFile\0"), FILE_HEADER + 2 * CHUNK);
  for (const file of [...readSeedFiles(path.join(FIXTURES, "evtx"), /\.evtx$/), ...extra]) {
    out.push(file.slice(0, FILE_HEADER + CHUNK));
    if (file.length > FILE_HEADER + CHUNK) out.push(file.slice(0, FILE_HEADER + 2 * CHUNK));
  }
  return out;
}

export const evtxTarget: FuzzTarget = {
  name: "evtx",
  weight: 4,
  typedErrors: [EvtxError],
  seeds,
  mutate: mutateEvtx,
  fieldAwareShare: 0.7,
  run: async (bytes) => {
    const log = readEvtx(bytes);
    for (const record of log.records) JSON.stringify(summarizeRecord(record));
    JSON.stringify(log.anomalies);
    // The streaming reader `check --image` uses, with a filter: the record heads it reads
    // before rendering (event id and provider) are a second way into every record.
    const readAt: ReadAt = async (buffer, length, position) => {
      const part = bytes.subarray(position, position + length);
      buffer.set(part);
      return part.length;
    };
    const filter = (head: { eventId: number | null; provider: string | null }) =>
      head.eventId === null || head.eventId % 2 === 0 || (head.provider ?? "").length > 3;
    for await (const record of iterateEvtxReader(readAt, new AnomalyLog(), filter))
      JSON.stringify(summarizeRecord(record));
  },
};
