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

const HEADER_V5 = "Windows Registry Editor Version 5.00";
const HEADER_V4 = "REGEDIT4";
const latin1Decoder = new TextDecoder("latin1");

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
  let text: string;
  let encoding: RegFile["encoding"];
  if (typeof input === "string") {
    text = input.startsWith("\ufeff") ? input.slice(1) : input;
    encoding = "string";
  } else {
    const d = decodeRegText(input);
    text = d.text.startsWith("\ufeff") ? d.text.slice(1) : d.text;
    encoding = d.encoding;
  }
  const lines = text.split(/\r\n|\n|\r/);
  const operations: RegOperation[] = [];
  let format: RegFileFormat | undefined;
  let currentKey: string | undefined;
  let i = 0;
  for (; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === "") continue;
    if (t === HEADER_V5) format = "5.00";
    else if (t === HEADER_V4) format = "REGEDIT4";
    else throw syntax(`expected "${HEADER_V5}" or "${HEADER_V4}"`, i + 1);
    i++;
    break;
  }
  if (format === undefined) throw syntax("empty .reg text: no header", 1);

  while (i < lines.length) {
    const lineNo = i + 1;
    const raw = lines[i]!.trimStart();
    i++;
    if (raw === "" || raw.startsWith(";") || raw.startsWith("#")) continue;
    if (raw.startsWith("[")) {
      const close = raw.lastIndexOf("]");
      if (close < 0) throw syntax("key line without ']'", lineNo);
      if (!isTrailingNoise(raw.slice(close + 1))) throw syntax("text after ']'", lineNo);
      let path = raw.slice(1, close);
      const del = path.startsWith("-");
      if (del) path = path.slice(1);
      path = trimCharEnd(path, "\\");
      if (path.trim() === "") throw syntax("empty key path", lineNo);
      if (del) {
        operations.push({ kind: "delete-key", path, line: lineNo });
        currentKey = undefined;
      } else {
        operations.push({ kind: "create-key", path, line: lineNo });
        currentKey = path;
      }
      continue;
    }
    if (raw.startsWith('"') || raw.startsWith("@")) {
      if (currentKey === undefined) throw syntax("value outside a key section", lineNo);
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
        operations.push({ kind: "delete-value", path: currentKey, name, line: lineNo });
        continue;
      }
      if (rest.startsWith('"')) {
        const q = readQuoted(rest, 0, lineNo);
        if (!isTrailingNoise(rest.slice(q.end))) throw syntax("text after the closing quote", lineNo);
        operations.push({
          kind: "set-value",
          path: currentKey,
          name,
          type: RegType.REG_SZ,
          data: encodeRegString(q.value),
          line: lineNo,
        });
        continue;
      }
      const lower = rest.toLowerCase();
      if (lower.startsWith("dword:")) {
        const m = /^dword:([0-9a-fA-F]{1,8})\s*(;.*)?$/i.exec(rest);
        if (!m) throw syntax("dword: needs 1 to 8 hex digits", lineNo);
        operations.push({
          kind: "set-value",
          path: currentKey,
          name,
          type: RegType.REG_DWORD,
          data: encodeRegDword(parseInt(m[1]!, 16)),
          line: lineNo,
        });
        continue;
      }
      const hm = /^hex(?:\(([0-9a-fA-F]{1,8})\))?:/.exec(lower);
      if (hm) {
        const type = hm[1] === undefined ? RegType.REG_BINARY : parseInt(hm[1], 16);
        let body = stripHexComment(rest.slice(hm[0].length)).trimEnd();
        let joined = "";
        // Continuation: a byte list whose line ends with "\" goes on with the next line.
        while (body.endsWith("\\")) {
          joined += body.slice(0, -1);
          if (i >= lines.length) throw syntax("continuation '\\' at end of file", lineNo);
          body = stripHexComment(lines[i]!).trim();
          i++;
        }
        joined += body;
        let data = parseHexBytes(joined, lineNo);
        if (format === "REGEDIT4" && (type === RegType.REG_EXPAND_SZ || type === RegType.REG_MULTI_SZ)) {
          data = encodeUtf16le(latin1Decoder.decode(data));
        }
        operations.push({ kind: "set-value", path: currentKey, name, type, data, line: lineNo });
        continue;
      }
      throw syntax(`unknown value data ${JSON.stringify(rest.slice(0, 20))}`, lineNo);
    }
    throw syntax(`unexpected text ${JSON.stringify(raw.slice(0, 20))}`, lineNo);
  }
  return { format, encoding, operations };
}
