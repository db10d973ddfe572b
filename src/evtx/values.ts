/**
 * BinXml substitution values: the typed data a template instance carries, rendered as the text
 * Windows' own XML rendering shows (decimal integers, `0x…` hex types, lower-case braced GUIDs,
 * ISO 8601 UTC times, `S-1-…` SIDs, upper-case hex for binary). BinXml-typed values (0x21) are
 * nested fragments and are handled by the BinXml reader, not here.
 *
 * Source: [MS-EVEN6] section 2.2.18 (Value types); libyal EVTX format documentation, "Value types".
 */
import type { ByteReader } from "../util/byte-reader.js";
import { utf16le } from "../util/byte-reader.js";
import { EvtxError } from "./errors.js";

/** The value type codes of [MS-EVEN6] 2.2.18; `| 0x80` marks an array. */
export const ValueType = {
  NULL: 0x00,
  STRING: 0x01,
  ANSI_STRING: 0x02,
  INT8: 0x03,
  UINT8: 0x04,
  INT16: 0x05,
  UINT16: 0x06,
  INT32: 0x07,
  UINT32: 0x08,
  INT64: 0x09,
  UINT64: 0x0a,
  REAL32: 0x0b,
  REAL64: 0x0c,
  BOOL: 0x0d,
  BINARY: 0x0e,
  GUID: 0x0f,
  SIZE_T: 0x10,
  FILETIME: 0x11,
  SYSTEMTIME: 0x12,
  SID: 0x13,
  HEX_INT32: 0x14,
  HEX_INT64: 0x15,
  EVT_HANDLE: 0x20,
  BINXML: 0x21,
  EVT_XML: 0x23,
  ARRAY: 0x80,
} as const;

/** Fixed sizes in bytes of the fixed-size types (also the element size of their arrays). */
const FIXED_SIZE: Record<number, number> = {
  0x03: 1,
  0x04: 1,
  0x05: 2,
  0x06: 2,
  0x07: 4,
  0x08: 4,
  0x09: 8,
  0x0a: 8,
  0x0b: 4,
  0x0c: 8,
  0x0d: 4,
  0x0f: 16,
  0x11: 8,
  0x12: 16,
  0x14: 4,
  0x15: 8,
};

/** Separator between the elements of an array value (Windows' XML rendering repeats them). */
export const ARRAY_SEPARATOR = ", ";

const latin1Decoder = new TextDecoder("latin1");
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Renders the value of `type` held in `[offset, offset + size)` as text, or `null` for a NULL
 * value or an empty one (an optional substitution then drops its attribute).
 * @param chunkBase - file offset of the chunk, for error offsets.
 * @throws EvtxError `bad-value` when the size does not fit the type; `truncated` when it runs
 *   past the reader.
 */
export function renderValue(
  r: ByteReader,
  type: number,
  offset: number,
  size: number,
  chunkBase: number,
): string | null {
  if (type === ValueType.NULL || size === 0) return null;
  if (type & ValueType.ARRAY) return renderArray(r, type & 0x7f, offset, size, chunkBase);
  const fixed = FIXED_SIZE[type];
  if (fixed !== undefined && size !== fixed) {
    throw new EvtxError(
      "bad-value",
      `value of type 0x${type.toString(16)} has ${size} bytes, expected ${fixed}`,
      {
        offset: chunkBase + offset,
        structure: "substitution value",
      },
    );
  }
  const s = "substitution value";
  switch (type) {
    case ValueType.STRING:
      return stripNul(utf16le(r.bytes(offset, size, s)));
    case ValueType.ANSI_STRING:
      return stripNul(latin1Decoder.decode(r.bytes(offset, size, s)));
    case ValueType.INT8:
      return String((r.u8(offset, s) << 24) >> 24);
    case ValueType.UINT8:
      return String(r.u8(offset, s));
    case ValueType.INT16:
      return String((r.u16(offset, s) << 16) >> 16);
    case ValueType.UINT16:
      return String(r.u16(offset, s));
    case ValueType.INT32:
      return String(r.i32(offset, s));
    case ValueType.UINT32:
      return String(r.u32(offset, s));
    case ValueType.INT64:
      return BigInt.asIntN(64, r.u64(offset, s)).toString();
    case ValueType.UINT64:
      return r.u64(offset, s).toString();
    case ValueType.REAL32:
      return String(new DataView(r.bytes(offset, 4, s).slice().buffer).getFloat32(0, true));
    case ValueType.REAL64:
      return String(new DataView(r.bytes(offset, 8, s).slice().buffer).getFloat64(0, true));
    case ValueType.BOOL:
      return r.u32(offset, s) !== 0 ? "true" : "false";
    case ValueType.GUID:
      return renderGuid(r.bytes(offset, 16, s));
    case ValueType.SIZE_T:
      // A pointer (win:Pointer): hex like the hex types, whatever the writer's pointer width.
      if (size === 4) return "0x" + r.u32(offset, s).toString(16);
      if (size === 8) return "0x" + r.u64(offset, s).toString(16);
      throw new EvtxError("bad-value", `SizeT value has ${size} bytes, expected 4 or 8`, {
        offset: chunkBase + offset,
        structure: s,
      });
    case ValueType.FILETIME:
      return filetimeToIso(r.u64(offset, s));
    case ValueType.SYSTEMTIME:
      return systemtimeToIso(r, offset);
    case ValueType.SID:
      return renderSid(r, offset, size, chunkBase);
    case ValueType.HEX_INT32:
      // Windows prints hex values in lower case without leading zeros (`0x3e7`, `0x0`,
      // `0x8020000000000000`): docs/evtx.md "Value rendering".
      return "0x" + r.u32(offset, s).toString(16);
    case ValueType.HEX_INT64:
      return "0x" + r.u64(offset, s).toString(16);
    default:
      // Binary, EvtHandle, EvtXml and unknown types: upper-case hex, as Windows renders binary.
      return hexUpper(r.bytes(offset, size, s));
  }
}

function renderArray(r: ByteReader, type: number, offset: number, size: number, chunkBase: number): string {
  return renderArrayItems(r, type | ValueType.ARRAY, offset, size, chunkBase).join(ARRAY_SEPARATOR);
}

/**
 * The items of an array value of `type` (with its `0x80` bit) in `[offset, offset + size)`, each
 * rendered as its element type is: a string array's NUL-terminated strings (an empty string
 * stays an item), a fixed-size type's elements in order.
 * @throws EvtxError `bad-value` when the size is not a whole number of elements.
 */
export function renderArrayItems(
  r: ByteReader,
  type: number,
  offset: number,
  size: number,
  chunkBase: number,
): string[] {
  const s = "substitution value";
  const itemType = type & 0x7f;
  if (itemType === ValueType.STRING || itemType === ValueType.ANSI_STRING) {
    const bytes = r.bytes(offset, size, s);
    const parts = (itemType === ValueType.STRING ? utf16le(bytes) : latin1Decoder.decode(bytes)).split("\0");
    if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
    return parts;
  }
  const element =
    FIXED_SIZE[itemType] ?? (itemType === ValueType.SIZE_T ? (size % 8 === 0 ? 8 : 4) : undefined);
  if (element === undefined || size % element !== 0) {
    throw new EvtxError("bad-value", `array of type 0x${itemType.toString(16)} has ${size} bytes`, {
      offset: chunkBase + offset,
      structure: s,
    });
  }
  const out: string[] = [];
  for (let o = offset; o < offset + size; o += element)
    out.push(renderValue(r, itemType, o, element, chunkBase) ?? "");
  return out;
}

function stripNul(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` in lower case, from the 16-byte mixed-endian GUID. */
export function renderGuid(b: Uint8Array): string {
  const h = (i: number) => HEX[b[i]!]!;
  return (
    `{${h(3)}${h(2)}${h(1)}${h(0)}-${h(5)}${h(4)}-${h(7)}${h(6)}-${h(8)}${h(9)}-` +
    `${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}}`
  );
}

function hexUpper(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i < b.length; i++) out += HEX[b[i]!]!;
  return out.toUpperCase();
}

const FILETIME_UNIX_EPOCH = 116444736000000000n;

/**
 * A FILETIME (100 ns ticks since 1601-01-01 UTC) as ISO 8601 UTC with seven fractional digits,
 * e.g. `2026-12-06T03:15:01.1234567Z`, the precision Windows itself renders.
 */
export function filetimeToIso(ticks: bigint): string {
  const sinceUnix = ticks - FILETIME_UNIX_EPOCH;
  let seconds = sinceUnix / 10000000n;
  let fraction = sinceUnix % 10000000n;
  if (fraction < 0n) {
    fraction += 10000000n;
    seconds -= 1n;
  }
  const date = new Date(Number(seconds) * 1000);
  return `${date.toISOString().slice(0, -5)}.${fraction.toString().padStart(7, "0")}Z`;
}

function systemtimeToIso(r: ByteReader, offset: number): string {
  const s = "SYSTEMTIME";
  const p2 = (n: number) => String(n).padStart(2, "0");
  const year = String(r.u16(offset, s)).padStart(4, "0");
  const ms = String(r.u16(offset + 14, s)).padStart(3, "0");
  return (
    `${year}-${p2(r.u16(offset + 2, s))}-${p2(r.u16(offset + 6, s))}T` +
    `${p2(r.u16(offset + 8, s))}:${p2(r.u16(offset + 10, s))}:${p2(r.u16(offset + 12, s))}.${ms}Z`
  );
}

/** A SID as `S-R-A-S1-S2…`: revision, 48-bit big-endian authority, 32-bit sub-authorities. */
function renderSid(r: ByteReader, offset: number, size: number, chunkBase: number): string {
  const s = "SID";
  const count = r.u8(offset + 1, s);
  if (size < 8 + 4 * count) {
    throw new EvtxError("bad-value", `SID with ${count} sub-authorities does not fit ${size} bytes`, {
      offset: chunkBase + offset,
      structure: s,
    });
  }
  let authority = 0;
  for (let i = 2; i < 8; i++) authority = authority * 256 + r.u8(offset + i, s);
  let out = `S-${r.u8(offset, s)}-${authority}`;
  for (let i = 0; i < count; i++) out += `-${r.u32(offset + 8 + 4 * i, s)}`;
  return out;
}
