/**
 * Big data (`db`) records: value data larger than 16 344 bytes, in hives of version 1.4 and
 * later, is split into segments of at most 16 344 bytes listed by a segment-list cell.
 *
 * Layout (offsets within cell data): signature `db` 0, segment count (u16) 2, segment list
 * offset 4. The segment list holds `count` 32-bit cell offsets.
 *
 * Source: msuhanov/regf specification, section "Big data".
 */
import { RegistryError } from "../errors.js";
import type { Cell, HiveContext } from "./hive-context.js";

/** Largest data a single cell stores before `db` is used, and the size of a full `db` segment. */
export const BIG_DATA_SEGMENT_SIZE = 16344;

/** True when `cell` starts with the `db` signature. */
export function isBigDataCell(ctx: HiveContext, cell: Cell): boolean {
  if (cell.dataSize < 8) return false;
  const b = ctx.reader.bytes(cell.dataOffset, 2, "db");
  return b[0] === 0x64 && b[1] === 0x62;
}

/**
 * Concatenates `length` bytes of data from the `db` record in `cell`. Each segment contributes
 * `min(16344, remaining)` bytes; a segment listed twice is `bad-value`; the bytes assembled over the
 * hive's lifetime count toward `maxBigDataBytes` (big data is the only data copied out of the file). Terminates: segment count is a u16 and each segment cell is read once.
 * @throws RegistryError `bad-value` (too few or repeated segments), `count-over-limit`, `bad-cell`, `truncated`.
 */
export function readBigData(ctx: HiveContext, cell: Cell, length: number, path?: string): Uint8Array {
  const s = "db";
  const p = path === undefined ? {} : { path };
  ctx.requireInCell(cell, cell.dataOffset, 8, s, path);
  const count = ctx.reader.u16(cell.dataOffset + 2, s);
  const listOffset = ctx.reader.u32(cell.dataOffset + 4, s);
  if (count * BIG_DATA_SEGMENT_SIZE < length) {
    throw new RegistryError("bad-value", `db has ${count} segments, too few for ${length} bytes`, {
      offset: cell.fileOffset,
      structure: s,
      ...p,
    });
  }
  const list = ctx.cell(listOffset, "db segment list", path);
  ctx.requireInCell(list, list.dataOffset, count * 4, "db segment list", path);
  // Locate every segment before allocating, so a forged length never allocates more than the
  // segments present in the file can fill.
  const parts: Uint8Array[] = [];
  const seen = new Set<number>();
  let filled = 0;
  for (let i = 0; i < count && filled < length; i++) {
    const segOffset = ctx.reader.u32(list.dataOffset + i * 4, "db segment list");
    if (seen.has(segOffset)) {
      throw new RegistryError("bad-value", `db lists segment 0x${segOffset.toString(16)} twice`, {
        offset: list.fileOffset,
        structure: "db segment list",
        ...p,
      });
    }
    seen.add(segOffset);
    const seg = ctx.cell(segOffset, "db segment", path);
    const take = Math.min(BIG_DATA_SEGMENT_SIZE, length - filled);
    ctx.requireInCell(seg, seg.dataOffset, take, "db segment", path);
    parts.push(ctx.reader.bytes(seg.dataOffset, take, "db segment"));
    filled += take;
  }
  if (ctx.bigDataBytes + length > ctx.limits.maxBigDataBytes) {
    throw new RegistryError(
      "count-over-limit",
      `big data assembled exceeds ${ctx.limits.maxBigDataBytes} bytes`,
      {
        offset: cell.fileOffset,
        structure: s,
        ...p,
      },
    );
  }
  ctx.bigDataBytes += length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
