/**
 * Value lists: a cell holding `count` 32-bit offsets of `vk` cells, where `count` comes from the
 * owning `nk` record.
 *
 * Source: msuhanov/regf specification, section "Values list".
 */
import { RegistryError } from "../errors.js";
import type { HiveContext } from "./hive-context.js";

/**
 * The `vk` offsets of the value list at `offset`, holding `count` entries.
 * @throws RegistryError `count-over-limit` (count over `maxValues`), `bad-cell`, `truncated`.
 */
export function readValueList(ctx: HiveContext, offset: number, count: number, path?: string): number[] {
  const s = "value list";
  if (count > ctx.limits.maxValues) {
    throw new RegistryError("count-over-limit", `value count ${count} exceeds ${ctx.limits.maxValues}`, {
      offset: offset + 4096,
      structure: s,
      ...(path === undefined ? {} : { path }),
    });
  }
  const cell = ctx.cell(offset, s, path);
  ctx.requireInCell(cell, cell.dataOffset, count * 4, s, path);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(ctx.reader.u32(cell.dataOffset + i * 4, s));
  return out;
}
