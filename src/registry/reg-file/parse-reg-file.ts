/**
 * The `.reg` text parser: `REGEDIT4` and `Windows Registry Editor Version 5.00`.
 *
 * Grammar handled (one logical line per entry):
 * - header line (blank lines before it are allowed);
 * - comments: lines whose first non-blank character is `;` or `#`; blank lines;
 * - `[path]` opens (creates) a key; `[-path]` deletes a key and its subtree; trailing `\` in a path is dropped;
 * - `"name"=…` / `@=…` sets a value; `"name"=-` / `@=-` deletes it;
 * - data: `"string"` (REG_SZ; escapes `\\` and `\"`, any other `\x` kept as is, as regedit does),
 *   `dword:` 1–8 hex digits, `hex:` (REG_BINARY) and `hex(N):` (type N in hex) byte lists;
 *   a byte list continues on the next line when its line ends with `\`; a `;` comment may follow it;
 * - REGEDIT4: `hex(2)` and `hex(7)` bytes are ANSI text and are widened to UTF-16LE, as regedit does
 *   on import; quoted strings become UTF-16LE as in format 5.00.
 *
 * Source: Microsoft KB 310516 (".reg file syntax", https://support.microsoft.com/help/310516); what
 * regedit and `reg export` write and import
 * (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/reg-export);
 * docs/registry.md (".reg text").
 */
import { RegType } from "../../ports/registry.js";
import { RegistryError } from "../errors.js";
import { encodeRegDword, encodeRegString, encodeUtf16le } from "../model/value-codec.js";
import type { RegFile, RegFileFormat, RegOperation } from "./reg-operations.js";
import { decodeRegText } from "./reg-text-encoding.js";
import { trimCharEnd } from "../../util/trim-char.js";
import { decodeWindows1252 } from "../../windows/windows-1252.js";

const HEADER_V5 = "Windows Registry Editor Version 5.00";
const HEADER_V4 = "REGEDIT4";

function syntax(message: string, line: number): RegistryError {
  return new RegistryError("reg-syntax", `line ${line}: ${message}`, { line, structure: ".reg" });
}

/** Index of the end of a quoted string starting at `s[start] === '"'`, and its unescaped content. */
function readQuoted(s: string, start: number, line: number): { value: string; end: number } {
  let out = "";
  let i = start + 1;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"') return { value: out, end: i + 1 };
    if (c === "\\" && i + 1 < s.length) {
      const n = s[i + 1]!;
      if (n === "\\" || n === '"') out += n;
      else out += c + n;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  throw syntax("unterminated quoted string", line);
}

/** True when `rest` is empty, blank, or a `;` comment. */
function isTrailingNoise(rest: string): boolean {
  const t = rest.trim();
  return t === "" || t.startsWith(";");
}

/** Strips a `;` comment from hex-data text (hex data never contains `;`). */
function stripHexComment(s: string): string {
  const i = s.indexOf(";");
  return i >= 0 ? s.slice(0, i) : s;
}

/** Parses a comma-separated byte list (already joined across continuation lines). */
function parseHexBytes(text: string, line: number): Uint8Array {
  const tokens = text.split(",").map((t) => t.trim());
  if (tokens.length > 0 && tokens[tokens.length - 1] === "") tokens.pop(); // trailing comma, or empty list
  const out = new Uint8Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!/^[0-9a-fA-F]{1,2}$/.test(t)) throw syntax(`bad hex byte ${JSON.stringify(t)}`, line);
    out[i] = parseInt(t, 16);
  }
  return out;
}

/**
 * Parses a `.reg` text, given as bytes (encoding detected, see {@link decodeRegText}) or as a string.
 * Terminates: one pass over the lines; a continuation consumes the lines it joins.
 * @throws RegistryError `reg-syntax` with the 1-based `line` of the first error.
 */
export function parseRegFile(input: Uint8Array | string): RegFile {
  const { text, encoding } = decodeInput(input);
  const lines = text.split(/\r\n|\n|\r/);
  const header = readHeader(lines);
  const cursor: LineCursor = { lines, next: header.next };
  const operations: RegOperation[] = [];
  let currentKey: string | undefined;
  while (cursor.next < lines.length) {
    const lineNo = cursor.next + 1;
    const raw = lines[cursor.next]!.trimStart();
    cursor.next++;
    if (raw === "" || raw.startsWith(";") || raw.startsWith("#")) continue;
    if (raw.startsWith("[")) {
      const op = parseKeyLine(raw, lineNo);
      operations.push(op);
      currentKey = op.kind === "create-key" ? op.path : undefined;
    } else if (raw.startsWith('"') || raw.startsWith("@")) {
      if (currentKey === undefined) throw syntax("value outside a key section", lineNo);
      operations.push(parseValueLine(raw, lineNo, currentKey, header.format, cursor));
    } else {
      throw syntax(`unexpected text ${JSON.stringify(raw.slice(0, 20))}`, lineNo);
    }
  }
  return { format: header.format, encoding, operations };
}

/** The text to parse, without a leading byte order mark, and how it was encoded. */
function decodeInput(input: Uint8Array | string): { text: string; encoding: RegFile["encoding"] } {
  if (typeof input === "string") {
    return { text: input.startsWith("\ufeff") ? input.slice(1) : input, encoding: "string" };
  }
  const d = decodeRegText(input);
  return { text: d.text.startsWith("\ufeff") ? d.text.slice(1) : d.text, encoding: d.encoding };
}

/**
 * The header line (KB 310516: "Windows Registry Editor Version 5.00", or "REGEDIT4" for Windows 98
 * and NT 4.0 files): the first non-blank line.
 * @returns the format, and the index of the line after the header.
 * @throws RegistryError `reg-syntax` when the first non-blank line is not a header, or there is none.
 */
function readHeader(lines: readonly string[]): { format: RegFileFormat; next: number } {
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === "") continue;
    if (t === HEADER_V5) return { format: "5.00", next: i + 1 };
    if (t === HEADER_V4) return { format: "REGEDIT4", next: i + 1 };
    throw syntax(`expected "${HEADER_V5}" or "${HEADER_V4}"`, i + 1);
  }
  throw syntax("empty .reg text: no header", 1);
}

/** The lines of the text and the index of the next one to read; continuations advance it. */
interface LineCursor {
  readonly lines: readonly string[];
  next: number;
}

/**
 * A key line (KB 310516, "Adding registry subkeys or adding and changing registry values" and
 * "Deleting registry keys and values"): `[path]` creates the key, `[-path]` deletes it and its
 * subtree; trailing `\` in the path is dropped; a `;` comment may follow the `]`.
 * @throws RegistryError `reg-syntax` for a missing `]`, text after it, or an empty path.
 */
function parseKeyLine(raw: string, lineNo: number): RegOperation & { kind: "create-key" | "delete-key" } {
  const close = raw.lastIndexOf("]");
  if (close < 0) throw syntax("key line without ']'", lineNo);
  if (!isTrailingNoise(raw.slice(close + 1))) throw syntax("text after ']'", lineNo);
  let path = raw.slice(1, close);
  const del = path.startsWith("-");
  if (del) path = path.slice(1);
  path = trimCharEnd(path, "\\");
  if (path.trim() === "") throw syntax("empty key path", lineNo);
  return { kind: del ? "delete-key" : "create-key", path, line: lineNo };
}

/**
 * A value line of key `path` (KB 310516, "Syntax of .reg files": `"name"=data` or `@=data` for
 * the default value; `=-` deletes the value): its name, then its data ({@link parseValueData}).
 * @throws RegistryError `reg-syntax`.
 */
function parseValueLine(
  raw: string,
  lineNo: number,
  path: string,
  format: RegFileFormat,
  cursor: LineCursor,
): RegOperation {
  let name: string;
  let pos: number;
  if (raw.startsWith("@")) {
    name = "";
    pos = 1;
  } else {
    const q = readQuoted(raw, 0, lineNo);
    name = q.value;
    pos = q.end;
  }
  while (pos < raw.length && (raw[pos] === " " || raw[pos] === "\t")) pos++;
  if (raw[pos] !== "=") throw syntax("expected '=' after the value name", lineNo);
  pos++;
  while (pos < raw.length && (raw[pos] === " " || raw[pos] === "\t")) pos++;
  const rest = raw.slice(pos);
  if (rest.startsWith("-") && isTrailingNoise(rest.slice(1))) {
    return { kind: "delete-value", path, name, line: lineNo };
  }
  const { type, data } = parseValueData(rest, lineNo, format, cursor);
  return { kind: "set-value", path, name, type, data, line: lineNo };
}

/**
 * Value data after the `=` (KB 310516, "Syntax of .reg files", the data types): a quoted string
 * (REG_SZ), `dword:` and 1 to 8 hex digits (REG_DWORD), `hex:` (REG_BINARY) or `hex(N):` (type
 * N) byte lists ({@link readHexList}). REGEDIT4 `hex(2)` and `hex(7)` bytes are ANSI text and
 * are widened to UTF-16LE.
 * @throws RegistryError `reg-syntax`.
 */
function parseValueData(
  rest: string,
  lineNo: number,
  format: RegFileFormat,
  cursor: LineCursor,
): { type: number; data: Uint8Array } {
  if (rest.startsWith('"')) {
    const q = readQuoted(rest, 0, lineNo);
    if (!isTrailingNoise(rest.slice(q.end))) throw syntax("text after the closing quote", lineNo);
    return { type: RegType.REG_SZ, data: encodeRegString(q.value) };
  }
  const lower = rest.toLowerCase();
  if (lower.startsWith("dword:")) {
    const m = /^dword:([0-9a-fA-F]{1,8})\s*(;.*)?$/i.exec(rest);
    if (!m) throw syntax("dword: needs 1 to 8 hex digits", lineNo);
    return { type: RegType.REG_DWORD, data: encodeRegDword(parseInt(m[1]!, 16)) };
  }
  const hm = /^hex(?:\(([0-9a-fA-F]{1,8})\))?:/.exec(lower);
  if (hm) {
    const type = hm[1] === undefined ? RegType.REG_BINARY : parseInt(hm[1], 16);
    let data = parseHexBytes(readHexList(rest.slice(hm[0].length), lineNo, cursor), lineNo);
    if (format === "REGEDIT4" && (type === RegType.REG_EXPAND_SZ || type === RegType.REG_MULTI_SZ)) {
      data = encodeUtf16le(decodeWindows1252(data));
    }
    return { type, data };
  }
  throw syntax(`unknown value data ${JSON.stringify(rest.slice(0, 20))}`, lineNo);
}

/**
 * The text of a byte list, joined across continuation lines: a list whose line ends with `\`
 * goes on with the next line (consumed from `cursor`); `;` comments are stripped from each line.
 * @throws RegistryError `reg-syntax` for a continuation on the last line.
 */
function readHexList(first: string, lineNo: number, cursor: LineCursor): string {
  let body = stripHexComment(first).trimEnd();
  let joined = "";
  while (body.endsWith("\\")) {
    joined += body.slice(0, -1);
    if (cursor.next >= cursor.lines.length) throw syntax("continuation '\\' at end of file", lineNo);
    body = stripHexComment(cursor.lines[cursor.next]!).trim();
    cursor.next++;
  }
  return joined + body;
}
