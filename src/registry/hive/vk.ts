/**
 * Key value (`vk`) cells and their data.
 *
 * Layout (offsets within cell data): signature `vk` 0, name length 2, data size 4, data offset 8,
 * data type 12, flags 16 (0x0001 = name in extended ASCII), spare 18, name 20.
 * A data size with its high bit set means the data (at most 4 bytes) is resident in the data
 * offset field. Data over 16 344 bytes in a `db` cell is big data.
 *
 * Source: msuhanov/regf specification, sections "Key value" and "Big data".
 */
import { decodeCompressedName } from "./compressed-name.js";
import { RegistryError } from "../errors.js";
import { BIG_DATA_SEGMENT_SIZE, isBigDataCell, readBigData } from "./big-data.js";
import type { HiveContext } from "./hive-context.js";

/** Flag: the value name is stored in extended ASCII (Latin-1). */
export const VALUE_COMP_NAME = 0x0001;
/** Size of the fixed part of a `vk` record, in bytes. */
export const VK_FIXED_SIZE = 20;
/** Bit of the data size field marking resident data. */
export const DATA_RESIDENT = 0x80000000;

/** A parsed `vk` record with its data. */
export interface KeyValueRecord {
  offset: number;
  name: string;
  type: number;
  flags: number;
  /** The value's data bytes (a view into the hive, or a new buffer for big data). */
  data: Uint8Array;
  /** How the data was stored. */
  storage: "resident" | "cell" | "big-data" | "empty";
}

/**
 * Parses the `vk` cell at `offset` and reads its data.
 * @throws RegistryError `bad-cell`, `bad-signature`, `truncated`, `count-over-limit`
 * (name or data over the caps), `bad-value` (data cannot be located).
 */
export function parseKeyValue(ctx: HiveContext, offset: number, path?: string): KeyValueRecord {
  const s = "vk";
  const p = path === undefined ? {} : { path };
  const cell = ctx.cell(offset, s, path);
  ctx.signature(cell, ["vk"], s, path);
  const d = cell.dataOffset;
  ctx.requireInCell(cell, d, VK_FIXED_SIZE, s, path);
  const r = ctx.reader;
  const nameLength = r.u16(d + 2, s);
  const rawSize = r.u32(d + 4, s);
  const dataOffset = r.u32(d + 8, s);
  const type = r.u32(d + 12, s);
  const flags = r.u16(d + 16, s);
  if (nameLength > ctx.limits.maxValueNameBytes) {
    throw new RegistryError(
      "count-over-limit",
      `value name of ${nameLength} bytes exceeds ${ctx.limits.maxValueNameBytes}`,
      {
        offset: cell.fileOffset,
        structure: s,
        ...p,
      },
    );
  }
  ctx.requireInCell(cell, d + VK_FIXED_SIZE, nameLength, s, path);
  const name =
    flags & VALUE_COMP_NAME
      ? decodeCompressedName(r.bytes(d + VK_FIXED_SIZE, nameLength, s))
      : r.utf16(d + VK_FIXED_SIZE, nameLength, s);

  const resident = (rawSize & DATA_RESIDENT) !== 0;
  const size = rawSize & 0x7fffffff;
  if (resident) {
    let n = size;
    if (n > 4) {
      ctx.forgive(
        new RegistryError("bad-value", `resident data size ${n} exceeds 4 bytes`, {
          offset: cell.fileOffset,
          structure: s,
          ...p,
        }),
      );
      n = 4;
    }
    return { offset, name, type, flags, data: r.bytes(d + 8, n, s), storage: n === 0 ? "empty" : "resident" };
  }
  if (size === 0) return { offset, name, type, flags, data: new Uint8Array(0), storage: "empty" };
  if (size > ctx.limits.maxValueDataBytes) {
    throw new RegistryError(
      "count-over-limit",
      `value data of ${size} bytes exceeds ${ctx.limits.maxValueDataBytes}`,
      {
        offset: cell.fileOffset,
        structure: s,
        ...p,
      },
    );
  }
  const dataCell = ctx.cell(dataOffset, "value data", path);
  if (size > BIG_DATA_SEGMENT_SIZE && dataCell.dataSize < size && isBigDataCell(ctx, dataCell)) {
    return { offset, name, type, flags, data: readBigData(ctx, dataCell, size, path), storage: "big-data" };
  }
  if (dataCell.dataSize < size) {
    const err = new RegistryError(
      "bad-value",
      `value data of ${size} bytes does not fit its ${dataCell.dataSize}-byte cell`,
      {
        offset: dataCell.fileOffset,
        structure: "value data",
        ...p,
      },
    );
    ctx.forgive(err);
    return {
      offset,
      name,
      type,
      flags,
      data: r.bytes(dataCell.dataOffset, dataCell.dataSize, "value data"),
      storage: "cell",
    };
  }
  return {
    offset,
    name,
    type,
    flags,
    data: r.bytes(dataCell.dataOffset, size, "value data"),
    storage: "cell",
  };
}
