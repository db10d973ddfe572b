/**
 * Key security (`sk`) cells: a doubly linked list of reference-counted security descriptors.
 *
 * Layout (offsets within cell data): signature `sk` 0, reserved 2, flink 4, blink 8,
 * reference count 12, security descriptor size 16, self-relative SECURITY_DESCRIPTOR 20.
 *
 * Source: msuhanov/regf specification, section "Key security".
 */
import type { HiveContext } from "./hive-context.js";

/** A parsed `sk` record. */
export interface KeySecurity {
  offset: number;
  flink: number;
  blink: number;
  referenceCount: number;
  /** The self-relative SECURITY_DESCRIPTOR bytes (a view into the hive; not copied). */
  descriptor: Uint8Array;
}

/**
 * Parses the `sk` cell at `offset`.
 * @throws RegistryError `bad-cell`, `bad-signature`, `truncated`.
 */
export function parseKeySecurity(ctx: HiveContext, offset: number, path?: string): KeySecurity {
  const s = "sk";
  const cell = ctx.cell(offset, s, path);
  ctx.signature(cell, ["sk"], s, path);
  const d = cell.dataOffset;
  ctx.requireInCell(cell, d, 20, s, path);
  const r = ctx.reader;
  const size = r.u32(d + 16, s);
  ctx.requireInCell(cell, d + 20, size, s, path);
  return {
    offset,
    flink: r.u32(d + 4, s),
    blink: r.u32(d + 8, s),
    referenceCount: r.u32(d + 12, s),
    descriptor: r.bytes(d + 20, size, s),
  };
}
