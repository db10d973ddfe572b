/**
 * Parser for the text `reg.exe query <key> [/s]` prints (Windows and Wine print the same layout):
 *
 * ```text
 * <blank>
 * HKEY_CURRENT_USER\Software\Test            ← key line: full path, long root name, column 0
 *     Name    REG_SZ    data                  ← value line: 4 spaces, name, 4 spaces, type, 4 spaces, data
 *     (Default)    REG_SZ    x                ← the default value (name "")
 * <blank>
 * HKEY_CURRENT_USER\Software\Test\Sub         ← without /s: subkeys follow as bare key lines
 * ```
 *
 * Data forms (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/reg-query
 * and observed output of Wine 8 `reg.exe`, see fixtures/windows/reg-query/README.md):
 * REG_SZ / REG_EXPAND_SZ (unexpanded) / REG_LINK: the text; REG_MULTI_SZ: elements joined by the
 * two characters `\0`; REG_DWORD / REG_DWORD_BIG_ENDIAN / REG_QWORD: `0x` + lowercase hex;
 * REG_BINARY / REG_NONE / resource lists: uppercase hex digits, no separators. Wine prints `(null)`
 * for types it cannot name (and, in Wine 8, for REG_QWORD data); such values keep `type: -1` or no
 * decoded view and raise a warning.
 *
 * Known ambiguities, all reported as warnings rather than guessed: a value name containing four
 * spaces followed by a type name; a string containing a line break (the continuation line is
 * appended with "\n"); a REG_MULTI_SZ element containing the characters `\0`; the localised
 * `(Default)` label on non-English Windows (only the English label is recognised).
 */
import { RegType, type RegValue } from "../../ports/registry.js";
import { trimCharEnd } from "../../util/trim-char.js";

/** One key block of the output. */
export interface RegQueryBlock {
  /** The key path as printed (long root name: `HKEY_LOCAL_MACHINE\...`). */
  path: string;
  /** 1-based line of the key line. */
  line: number;
  values: RegValue[];
}

/** A parse warning: output that was accepted with a caveat, or skipped. */
export interface RegQueryWarning {
  line: number;
  message: string;
}

/** Parsed output. */
export interface RegQueryOutput {
  blocks: RegQueryBlock[];
  warnings: RegQueryWarning[];
}

const TYPE_NAMES: Record<string, number> = {
  REG_NONE: RegType.REG_NONE,
  REG_SZ: RegType.REG_SZ,
  REG_EXPAND_SZ: RegType.REG_EXPAND_SZ,
  REG_BINARY: RegType.REG_BINARY,
  REG_DWORD: RegType.REG_DWORD,
  REG_DWORD_LITTLE_ENDIAN: RegType.REG_DWORD,
  REG_DWORD_BIG_ENDIAN: RegType.REG_DWORD_BIG_ENDIAN,
  REG_LINK: RegType.REG_LINK,
  REG_MULTI_SZ: RegType.REG_MULTI_SZ,
  REG_RESOURCE_LIST: RegType.REG_RESOURCE_LIST,
  REG_FULL_RESOURCE_DESCRIPTOR: RegType.REG_FULL_RESOURCE_DESCRIPTOR,
  REG_RESOURCE_REQUIREMENTS_LIST: RegType.REG_RESOURCE_REQUIREMENTS_LIST,
  REG_QWORD: RegType.REG_QWORD,
  REG_QWORD_LITTLE_ENDIAN: RegType.REG_QWORD,
};

const ROOT_LINE =
  /^(HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER|HKEY_USERS|HKEY_CLASSES_ROOT|HKEY_CURRENT_CONFIG|HKLM|HKCU|HKU|HKCR|HKCC)(\\|$)/i;
// Name (lazy, may be empty), the type token, then the data (the separator before empty data may be trimmed).
// Numeric type tokens (`0x100`, `REG_0x100`) are accepted for types without a name [I: the form
// Windows uses for unnamed types is not documented; Wine prints `(null)`].
const VALUE_LINE = /^ {4}(.*?) {4}(REG_[A-Z_]+|REG_0x[0-9a-fA-F]+|\(null\)|0x[0-9a-fA-F]+)(?: {4}(.*)| *)$/;
/**
 * Characters `.` does not match that can still be in a line (the split is on CR and LF only).
 * A line holding one never matches {@link VALUE_LINE}; it is rejected before the regex runs, since
 * with it the regex backtracks from every type token back to the start of the data (quadratic).
 */
const NOT_DOT = /[\u2028\u2029]/;

/** Largest output accepted, in UTF-16 code units (about 128 MiB of text). */
export const MAX_REG_QUERY_OUTPUT = 64 * 1024 * 1024;

/** Parses `reg query` output text. Never throws; problems become warnings. */
export function parseRegQueryOutput(text: string): RegQueryOutput {
  const out: RegQueryOutput = { blocks: [], warnings: [] };
  const lines = text.slice(0, MAX_REG_QUERY_OUTPUT).split(/\r\n|\n|\r/);
  if (text.length > MAX_REG_QUERY_OUTPUT)
    out.warnings.push({ line: lines.length, message: "output truncated at cap" });
  let block: RegQueryBlock | undefined;
  let last: RegValue | undefined;
  // Lines of the string `last` continues over, joined once when it ends (joining and re-encoding
  // on every line would be quadratic in the number of lines).
  let continued: string[] | undefined;
  const endLast = () => {
    if (last !== undefined && continued !== undefined) {
      const joined = continued.join("\n");
      last.value = joined;
      last.data = utf16z(joined);
    }
    last = undefined;
    continued = undefined;
  };
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") {
      endLast();
      return;
    }
    if (ROOT_LINE.test(raw)) {
      endLast();
      block = { path: trimCharEnd(raw, "\\"), line, values: [] };
      out.blocks.push(block);
      return;
    }
    const m = NOT_DOT.test(raw) ? null : VALUE_LINE.exec(raw);
    if (m !== null && block !== undefined) {
      const [, rawName = "", typeToken = "", data = ""] = m;
      const name = rawName === "(Default)" ? "" : rawName;
      const v = decodeValue(name, typeToken, data, line, out.warnings);
      endLast();
      block.values.push(v);
      last = v;
      return;
    }
    if (last !== undefined && (last.type === RegType.REG_SZ || last.type === RegType.REG_EXPAND_SZ)) {
      // A string with an embedded line break: reg.exe prints the break raw.
      (continued ??= [last.value as string]).push(raw);
      out.warnings.push({
        line,
        message: "string value continues on this line (line break normalised to \\n)",
      });
      return;
    }
    if (/^End of search/i.test(raw)) return;
    out.warnings.push({ line, message: `unrecognised line skipped: ${JSON.stringify(raw.slice(0, 120))}` });
  });
  endLast();
  return out;
}

function utf16z(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(`${s}\0`, "utf16le"));
}

function hexBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  return new Uint8Array(Buffer.from(hex, "hex"));
}

function decodeValue(
  name: string,
  typeToken: string,
  data: string,
  line: number,
  warnings: RegQueryWarning[],
): RegValue {
  const named = TYPE_NAMES[typeToken];
  const numeric = /^(?:REG_)?0x([0-9a-f]+)$/i.exec(typeToken);
  const type = named ?? (numeric ? Number.parseInt(numeric[1]!, 16) : -1);
  if (type === -1) {
    warnings.push({
      line,
      message: `value ${JSON.stringify(name)}: type not shown (${typeToken}); data kept as text`,
    });
    return { name, type, data: new Uint8Array(0) };
  }
  switch (type) {
    case RegType.REG_SZ:
    case RegType.REG_EXPAND_SZ:
    case RegType.REG_LINK:
      return { name, type, data: utf16z(data), value: data };
    case RegType.REG_MULTI_SZ: {
      const items = data === "" ? [] : data.split("\\0");
      if (items.length > 0 && items[items.length - 1] === "") items.pop();
      return { name, type, data: utf16z(items.map((s) => `${s}\0`).join("")), value: items };
    }
    case RegType.REG_DWORD:
    case RegType.REG_DWORD_BIG_ENDIAN: {
      const m = /^0x([0-9a-f]{1,8})$/i.exec(data.trim());
      if (m === null) {
        warnings.push({
          line,
          message: `value ${JSON.stringify(name)}: DWORD data ${JSON.stringify(data)} not 0x-hex`,
        });
        return { name, type, data: new Uint8Array(0) };
      }
      const n = Number.parseInt(m[1]!, 16);
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setUint32(0, n, type === RegType.REG_DWORD);
      return { name, type, data: bytes, value: n };
    }
    case RegType.REG_QWORD: {
      const m = /^0x([0-9a-f]{1,16})$/i.exec(data.trim());
      if (m === null) {
        warnings.push({
          line,
          message: `value ${JSON.stringify(name)}: QWORD data ${JSON.stringify(data)} not 0x-hex`,
        });
        return { name, type, data: new Uint8Array(0) };
      }
      const n = BigInt(`0x${m[1]!}`);
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigUint64(0, n, true);
      return { name, type, data: bytes, value: n };
    }
    default: {
      const bytes = hexBytes(data.trim());
      if (bytes === undefined) {
        warnings.push({ line, message: `value ${JSON.stringify(name)}: binary data is not hex` });
        return { name, type, data: new Uint8Array(0) };
      }
      return { name, type, data: bytes };
    }
  }
}

const LONG_ROOTS: Record<string, string> = {
  HKLM: "HKEY_LOCAL_MACHINE",
  HKCU: "HKEY_CURRENT_USER",
  HKU: "HKEY_USERS",
  HKCR: "HKEY_CLASSES_ROOT",
  HKCC: "HKEY_CURRENT_CONFIG",
};
const SHORT_ROOTS: Record<string, string> = Object.fromEntries(
  Object.entries(LONG_ROOTS).map(([s, l]) => [l, s]),
);

/** The first component of `path` and the rest from its first backslash on (`""` when none). */
function splitRoot(path: string): { root: string; tail: string } {
  const cut = path.indexOf("\\");
  return cut < 0 ? { root: path, tail: "" } : { root: path.slice(0, cut), tail: path.slice(cut) };
}

/** `HKLM\X` → `HKEY_LOCAL_MACHINE\X` (other roots upper-cased). */
export function toLongRootPath(path: string): string {
  const { root, tail } = splitRoot(path);
  return (LONG_ROOTS[root.toUpperCase()] ?? root.toUpperCase()) + tail;
}

/** `HKEY_LOCAL_MACHINE\X` → `HKLM\X` (short roots unchanged, upper-cased). */
export function toShortRootPath(path: string): string {
  const { root, tail } = splitRoot(path);
  const up = root.toUpperCase();
  return (SHORT_ROOTS[up] ?? up) + tail;
}
