/**
 * Encoding and decoding of registry value data (winnt.h REG_* types) to and from the
 * {@link RegValue} shape of the registry port. Strings are UTF-16LE, NUL-terminated as Windows
 * stores them; DWORD is little-endian (REG_DWORD_BIG_ENDIAN big-endian); QWORD little-endian.
 *
 * Source: src/ports/registry.ts (RegValue contract); Microsoft "Registry value types"
 * (learn.microsoft.com/windows/win32/sysinfo/registry-value-types).
 */
import { RegType, type RegValue } from "../../ports/registry.js";
import { utf16le } from "../../util/byte-reader.js";

/**
 * Decodes UTF-16LE string data the way Windows readers do: up to the first NUL code unit (on an
 * even offset), or the whole data when no terminator is present. An odd trailing byte is ignored.
 */
export function decodeRegString(data: Uint8Array): string {
  let end = data.length & ~1;
  for (let i = 0; i + 1 < data.length; i += 2) {
    if (data[i] === 0 && data[i + 1] === 0) {
      end = i;
      break;
    }
  }
  return utf16le(data.subarray(0, end));
}

/**
 * Decodes REG_MULTI_SZ data: NUL-separated UTF-16LE strings ended by an empty string. Trailing
 * empty strings (the terminator) are dropped; empty strings in the middle are kept.
 */
export function decodeRegMultiString(data: Uint8Array): string[] {
  const text = utf16le(data);
  const parts = text.split("\u0000");
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/** UTF-16LE bytes of `s`, without a terminator. */
export function encodeUtf16le(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[2 * i] = c & 0xff;
    out[2 * i + 1] = c >>> 8;
  }
  return out;
}

/** REG_SZ / REG_EXPAND_SZ data for `s`: UTF-16LE plus one NUL code unit. */
export function encodeRegString(s: string): Uint8Array {
  return encodeUtf16le(s + "\u0000");
}

/** REG_MULTI_SZ data for `items`: each string NUL-terminated, then one more NUL. */
export function encodeRegMultiString(items: readonly string[]): Uint8Array {
  return encodeUtf16le(items.map((s) => s + "\u0000").join("") + "\u0000");
}

/** REG_DWORD data (4 bytes little-endian) for an unsigned 32-bit `n`. */
export function encodeRegDword(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, true);
  return out;
}

/** REG_QWORD data (8 bytes little-endian) for an unsigned 64-bit `n`. */
export function encodeRegQword(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, n), true);
  return out;
}

/**
 * The decoded {@link RegValue} for raw `data` of REG_* `type`. Never throws: data too short for
 * its type (a 3-byte DWORD) leaves `value` undefined; unknown types keep only `data`.
 */
export function decodeRegValue(name: string, type: number, data: Uint8Array): RegValue {
  const v: RegValue = { name, type, data };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (type) {
    case RegType.REG_SZ:
    case RegType.REG_EXPAND_SZ:
    case RegType.REG_LINK:
      v.value = decodeRegString(data);
      break;
    case RegType.REG_MULTI_SZ:
      v.value = decodeRegMultiString(data);
      break;
    case RegType.REG_DWORD:
      if (data.length >= 4) v.value = view.getUint32(0, true);
      break;
    case RegType.REG_DWORD_BIG_ENDIAN:
      if (data.length >= 4) v.value = view.getUint32(0, false);
      break;
    case RegType.REG_QWORD:
      if (data.length >= 8) v.value = view.getBigUint64(0, true);
      break;
    default:
      break;
  }
  return v;
}

/** Name of a REG_* type number (`"REG_SZ"`), or `"REG_0x<hex>"` for unknown types. */
export function regTypeName(type: number): string {
  for (const [name, n] of Object.entries(RegType)) if (n === type) return name;
  return `REG_0x${type.toString(16)}`;
}
