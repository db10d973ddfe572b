/**
 * Small helpers every domain reader uses on top of {@link RegistryPort}: joining key paths,
 * case-insensitive value lookup (Windows value names are case-insensitive), and typed views of a
 * value (string, number, bytes) that accept the representations different sources produce
 * (a hive gives REG_SZ bytes, a `.reg` export or `reg.exe` gives the same decoded).
 *
 * Source: src/ports/registry.ts contract; winnt.h REG_* semantics.
 */
import { RegType, type RegKey, type RegValue } from "../ports/registry.js";
import { utf16le } from "../util/byte-reader.js";
import { trimCharEnd, trimCharStart } from "../util/trim-char.js";

/** Joins key path parts with single backslashes (`"HKLM\\SOFTWARE"`, `"Microsoft"` → `HKLM\SOFTWARE\Microsoft`). */
export function joinKey(...parts: string[]): string {
  return parts
    .map((p) => trimCharStart(trimCharEnd(p, "\\"), "\\"))
    .filter((p) => p.length > 0)
    .join("\\");
}

/** The value named `name` (case-insensitive; `""` = default value), or `undefined`. */
export function findValue(key: RegKey | undefined, name: string): RegValue | undefined {
  if (key === undefined) return undefined;
  const lower = name.toLowerCase();
  return key.values.find((v) => v.name.toLowerCase() === lower);
}

/**
 * A value as a string: the decoded `value` for REG_SZ / REG_EXPAND_SZ / REG_LINK; the first
 * element for REG_MULTI_SZ; otherwise, for string-like types whose `value` is missing, the raw
 * bytes decoded as UTF-16LE up to the first NUL. Numbers become decimal text. `undefined` when
 * the value is absent or binary.
 */
export function valueAsString(v: RegValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v.value === "string") return v.value;
  if (Array.isArray(v.value)) return v.value[0];
  if (typeof v.value === "number" || typeof v.value === "bigint") return v.value.toString();
  if (v.type === RegType.REG_SZ || v.type === RegType.REG_EXPAND_SZ || v.type === RegType.REG_LINK) {
    const s = utf16le(v.data);
    const nul = s.indexOf("\0");
    return nul < 0 ? s : s.slice(0, nul);
  }
  return undefined;
}

/** A REG_DWORD / REG_QWORD (or numeric REG_SZ, as some policies store) as a number, else `undefined`. */
export function valueAsNumber(v: RegValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v.value === "number") return v.value;
  if (typeof v.value === "bigint") return Number(v.value);
  if (typeof v.value === "string" && /^\s*(0x[0-9a-f]+|\d+)\s*$/i.test(v.value))
    return Number(v.value.trim());
  if (v.type === RegType.REG_DWORD && v.data.length >= 4) {
    return new DataView(v.data.buffer, v.data.byteOffset, 4).getUint32(0, true);
  }
  return undefined;
}

/**
 * A copy of `pattern` without the `g`/`y` flags, so repeated `.test()` calls do not depend on
 * `lastIndex` (callers may pass a global RegExp from a data file).
 */
export function stableRegExp(pattern: RegExp): RegExp {
  return pattern.global || pattern.sticky
    ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""))
    : pattern;
}
