/**
 * Key node (`nk`) cells.
 *
 * Layout (offsets within cell data): signature `nk` 0, flags 2, last written FILETIME 4,
 * access bits 12, parent 16, subkey count 20, volatile subkey count 24, subkey list 28,
 * volatile subkey list 32, value count 36, value list 40, security (`sk`) 44, class name 48,
 * largest subkey name length 52, largest subkey class length 56, largest value name length 60,
 * largest value data size 64, work var 68, key name length 72, class name length 74, name 76.
 *
 * Source: msuhanov/regf specification, section "Key node".
 */
import { decodeCompressedName } from "./compressed-name.js";
import { RegistryError } from "../errors.js";
import { filetimeToDate } from "./filetime.js";
import type { HiveContext } from "./hive-context.js";

/** Flag: the name is stored in an extended ASCII (Latin-1) string, not UTF-16LE. */
export const KEY_COMP_NAME = 0x0020;
/** Flag: this is the hive's root key. */
export const KEY_HIVE_ENTRY = 0x0004;
/** Flag: the key cannot be deleted. */
export const KEY_NO_DELETE = 0x0008;
/** Size of the fixed part of an `nk` record, in bytes. */
export const NK_FIXED_SIZE = 76;

/** A parsed `nk` record. Offsets are relative to the hive bins; 0xFFFFFFFF is null. */
export interface KeyNode {
  /** Cell offset of this record. */
  offset: number;
  flags: number;
  lastWritten: Date | undefined;
  parentOffset: number;
  subkeyCount: number;
  subkeyListOffset: number;
  valueCount: number;
  valueListOffset: number;
  securityOffset: number;
  classNameOffset: number;
  classNameLength: number;
  /** Decoded key name. */
  name: string;
}

/**
 * Parses the `nk` cell at `offset`.
 * @throws RegistryError `bad-cell`, `bad-signature`, `truncated`, `count-over-limit` (name length).
 */
export function parseKeyNode(ctx: HiveContext, offset: number, path?: string): KeyNode {
  const s = "nk";
  const cell = ctx.cell(offset, s, path);
  ctx.signature(cell, ["nk"], s, path);
  const d = cell.dataOffset;
  ctx.requireInCell(cell, d, NK_FIXED_SIZE, s, path);
  const r = ctx.reader;
  const flags = r.u16(d + 2, s);
  const nameLength = r.u16(d + 72, s);
  if (nameLength > ctx.limits.maxKeyNameBytes) {
    throw new RegistryError(
      "count-over-limit",
      `key name of ${nameLength} bytes exceeds ${ctx.limits.maxKeyNameBytes}`,
      {
        offset: cell.fileOffset,
        structure: s,
        ...(path === undefined ? {} : { path }),
      },
    );
  }
  ctx.requireInCell(cell, d + NK_FIXED_SIZE, nameLength, s, path);
  const raw = r.bytes(d + NK_FIXED_SIZE, nameLength, s);
  const name = flags & KEY_COMP_NAME ? decodeCompressedName(raw) : r.utf16(d + NK_FIXED_SIZE, nameLength, s);
  return {
    offset,
    flags,
    lastWritten: filetimeToDate(r.u64(d + 4, s)),
    parentOffset: r.u32(d + 16, s),
    subkeyCount: r.u32(d + 20, s),
    subkeyListOffset: r.u32(d + 28, s),
    valueCount: r.u32(d + 36, s),
    valueListOffset: r.u32(d + 40, s),
    securityOffset: r.u32(d + 44, s),
    classNameOffset: r.u32(d + 48, s),
    classNameLength: r.u16(d + 74, s),
    name,
  };
}
