/**
 * The `.reg` writer: format 5.00 text the way regedit exports it. CRLF line endings; a header
 * line and a blank line; each key as `[path]`, its values, and a blank line. A key path or value
 * name holding a line break cannot be written (see {@link formatRegText}).
 *
 * Value lines (lossless: parsing the output gives back the same type and bytes):
 * - REG_SZ whose data is exactly a string plus one NUL (and the string has no NUL, CR or LF):
 *   `"name"="text"` with `\` and `"` escaped; any other REG_SZ data: `hex(1):`;
 * - REG_DWORD of exactly 4 bytes: `dword:xxxxxxxx`; other lengths: `hex(4):`;
 * - REG_BINARY: `hex:`; every other type N: `hex(N):` (N in lower-case hex), as regedit does for
 *   REG_EXPAND_SZ (`hex(2)`), REG_MULTI_SZ (`hex(7)`), REG_QWORD (`hex(b)`) and REG_NONE (`hex(0)`);
 * - byte lists are wrapped as regedit wraps them: after each `xx,`, once the line reaches 77
 *   characters it ends with `\` and the next starts with two spaces.
 *
 * Source: the output of Windows regedit / `reg export` (KB 310516 syntax,
 * https://support.microsoft.com/help/310516); docs/registry.md (".reg text").
 */
import { RegType } from "../../ports/registry.js";
import { decodeRegString, encodeRegString } from "../model/value-codec.js";
import type { RegTreeValue } from "../model/reg-tree.js";
import { encodeRegText } from "./reg-text-encoding.js";

/** One key to write: its full path (with root name) and its values in output order. */
export interface RegExportKey {
  path: string;
  values: readonly RegTreeValue[];
}

/** Options of {@link writeRegFile}. */
export interface WriteRegFileOptions extends FormatRegOptions {
  /** `"utf-16le"` (default, with BOM, as regedit) or `"utf-8"`. */
  encoding?: "utf-16le" | "utf-8";
  /** Write a BOM; default true for UTF-16LE, false for UTF-8. */
  bom?: boolean;
}

/** The header line of format 5.00. */
export const REG_V5_HEADER = "Windows Registry Editor Version 5.00";
/** Column at which regedit breaks a byte list. */
const HEX_WRAP_COLUMN = 77;

/** `s` with `\` and `"` escaped for a quoted `.reg` string. */
export function escapeRegString(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Options of {@link formatRegValue} and {@link formatRegText}. */
export interface FormatRegOptions {
  /**
   * Write REG_SZ data as `hex(1):` byte lists even when it is a plain string (as
   * `hivexregedit --export` does). Keeps the text 7-bit ASCII when names are ASCII, for readers
   * that do not decode `.reg` text (hivexregedit reads quoted strings as raw bytes). Default false.
   */
  hexStrings?: boolean;
}

/** The value line(s) for `v`, without the final line break (continuations use CRLF). */
export function formatRegValue(v: RegTreeValue, options: FormatRegOptions = {}): string {
  const lhs = v.name === "" ? "@=" : `"${escapeRegString(v.name)}"=`;
  if (v.type === RegType.REG_SZ && options.hexStrings !== true) {
    const s = decodeRegString(v.data);
    if (!/[\0\r\n]/.test(s) && bytesEqual(encodeRegString(s), v.data)) return `${lhs}"${escapeRegString(s)}"`;
  }
  if (v.type === RegType.REG_DWORD && v.data.length === 4) {
    const n = new DataView(v.data.buffer, v.data.byteOffset, 4).getUint32(0, true);
    return `${lhs}dword:${n.toString(16).padStart(8, "0")}`;
  }
  const prefix = v.type === RegType.REG_BINARY ? "hex:" : `hex(${(v.type >>> 0).toString(16)}):`;
  let out = lhs + prefix;
  let column = out.length;
  for (let i = 0; i < v.data.length; i++) {
    out += v.data[i]!.toString(16).padStart(2, "0");
    if (i === v.data.length - 1) break;
    out += ",";
    column += 3;
    if (column >= HEX_WRAP_COLUMN) {
      out += "\\\r\n  ";
      column = 2;
    }
  }
  return out;
}

/**
 * A line break: no `.reg` syntax holds one in a key path or value name. Written, it would end the
 * line early, and the rest could be a forged `[key]` or value line that `reg import` (or a bundle's
 * replay) applies, possibly in another hive.
 */
const LINE_BREAK = /[\r\n]/;

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/**
 * The `.reg` format 5.00 text (CRLF line endings) for `keys`, in the order given. A key whose path
 * or a value whose name holds a line break is left out, and a last `;` comment line counts them.
 */
export function formatRegText(keys: Iterable<RegExportKey>, options: FormatRegOptions = {}): string {
  const parts: string[] = [REG_V5_HEADER, "\r\n\r\n"];
  let keysLeft = 0;
  let valuesLeft = 0;
  for (const k of keys) {
    if (LINE_BREAK.test(k.path)) {
      keysLeft++;
      continue;
    }
    parts.push("[", k.path, "]\r\n");
    for (const v of k.values) {
      if (LINE_BREAK.test(v.name)) valuesLeft++;
      else parts.push(formatRegValue(v, options), "\r\n");
    }
    parts.push("\r\n");
  }
  if (keysLeft + valuesLeft > 0)
    parts.push(
      `; ${count(keysLeft, "key")} and ${count(valuesLeft, "value")} not written: their names hold a line break, which a .reg file cannot hold\r\n`,
    );
  return parts.join("");
}

/** The `.reg` file bytes for `keys`: {@link formatRegText} encoded per `options` (UTF-16LE with BOM by default). */
export function writeRegFile(keys: Iterable<RegExportKey>, options: WriteRegFileOptions = {}): Uint8Array {
  const encoding = options.encoding ?? "utf-16le";
  return encodeRegText(formatRegText(keys, options), encoding, options.bom ?? encoding === "utf-16le");
}
