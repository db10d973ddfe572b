/**
 * Subkey lists: index leaf `li` (offsets), fast leaf `lf` (offset + 4-character name hint),
 * hash leaf `lh` (offset + name hash) and index root `ri` (offsets of leaves). `ri` is followed
 * recursively with a `visited` set (a list seen twice is a `cycle`) and a depth cap.
 *
 * Layout (offsets within cell data): signature 0, count (u16) 2, elements from 4; `lf`/`lh`
 * elements are 8 bytes, `li`/`ri` elements 4 bytes.
 *
 * Source: msuhanov/regf specification, sections "Index leaf", "Fast leaf", "Hash leaf", "Index root".
 */
import { RegistryError } from "../errors.js";
import type { HiveContext } from "./hive-context.js";

/**
 * The `nk` offsets listed by the subkey list at `offset`, in stored order.
 * Terminates: every list cell is visited at most once (visited set), `ri` depth is capped by
 * `maxIndexDepth`, and the total is capped by `maxSubkeys`.
 * @throws RegistryError `bad-cell`, `bad-signature`, `truncated`, `cycle`, `too-deep`, `count-over-limit`.
 */
export function readSubkeyList(ctx: HiveContext, offset: number, path?: string): number[] {
  const out: number[] = [];
  const visited = new Set<number>();
  const p = path === undefined ? {} : { path };
  const walk = (listOffset: number, depth: number): void => {
    if (depth > ctx.limits.maxIndexDepth) {
      throw new RegistryError("too-deep", `subkey index nested deeper than ${ctx.limits.maxIndexDepth}`, {
        offset: listOffset + 4096,
        structure: "ri",
        ...p,
      });
    }
    if (visited.has(listOffset)) {
      throw new RegistryError("cycle", `subkey list at 0x${listOffset.toString(16)} reached twice`, {
        offset: listOffset + 4096,
        structure: "subkey list",
        ...p,
      });
    }
    visited.add(listOffset);
    const cell = ctx.cell(listOffset, "subkey list", path);
    const sig = ctx.signature(cell, ["lf", "lh", "li", "ri"], "subkey list", path);
    const d = cell.dataOffset;
    ctx.requireInCell(cell, d, 4, sig, path);
    const count = ctx.reader.u16(d + 2, sig);
    const width = sig === "lf" || sig === "lh" ? 8 : 4;
    ctx.requireInCell(cell, d + 4, count * width, sig, path);
    if (out.length + count > ctx.limits.maxSubkeys && sig !== "ri") {
      throw new RegistryError("count-over-limit", `more than ${ctx.limits.maxSubkeys} subkeys`, {
        offset: cell.fileOffset,
        structure: sig,
        ...p,
      });
    }
    for (let i = 0; i < count; i++) {
      const element = ctx.reader.u32(d + 4 + i * width, sig);
      if (sig === "ri") walk(element, depth + 1);
      else out.push(element);
    }
  };
  walk(offset, 0);
  return out;
}
