/**
 * Text encodings of `.reg` files. regedit and `reg export` write UTF-16LE with a BOM (format 5.00);
 * REGEDIT4 files are ANSI; hand-written files are often UTF-8, with or without a BOM.
 *
 * Source: `reg export`
 * (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/reg-export); KB
 * 310516 (https://support.microsoft.com/help/310516); docs/registry.md (".reg text").
 */
import { decodeWindows1252 } from "../../windows/windows-1252.js";
import { encodeUtf16le } from "../model/value-codec.js";

/** An encoding a `.reg` text was read in or is written in. */
export type RegTextEncoding = "utf-16le" | "utf-8" | "latin1";

const utf8Fatal = new TextDecoder("utf-8", { fatal: true });
const utf16 = new TextDecoder("utf-16le");

/**
 * Decodes `.reg` file bytes: UTF-16LE when they start with the FF FE BOM (or look like BOM-less
 * UTF-16LE: a NUL second byte after a non-NUL first byte); otherwise UTF-8 (a BOM is dropped)
 * when valid, else Windows-1252 (reported as `"latin1"`), as ANSI REGEDIT4 files are: 0x96 is
 * "–", not the C1 control Node 20's TextDecoder("latin1") would give.
 * Never throws.
 */
export function decodeRegText(bytes: Uint8Array): { text: string; encoding: RegTextEncoding; bom: boolean } {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return {
      text: utf16.decode(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1))),
      encoding: "utf-16le",
      bom: true,
    };
  }
  if (bytes.length >= 2 && bytes[0] !== 0 && bytes[1] === 0) {
    return { text: utf16.decode(bytes.subarray(0, bytes.length & ~1)), encoding: "utf-16le", bom: false };
  }
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  try {
    return { text: utf8Fatal.decode(body), encoding: "utf-8", bom };
  } catch {
    return { text: decodeWindows1252(body), encoding: "latin1", bom: false };
  }
}

/**
 * Encodes `.reg` text: `"utf-16le"` (default) with the FF FE BOM as regedit writes it, or
 * `"utf-8"` (with a BOM only when `bom` is true).
 */
export function encodeRegText(
  text: string,
  encoding: "utf-16le" | "utf-8" = "utf-16le",
  bom = encoding === "utf-16le",
): Uint8Array {
  if (encoding === "utf-16le") {
    const body = encodeUtf16le(text);
    if (!bom) return body;
    const out = new Uint8Array(body.length + 2);
    out[0] = 0xff;
    out[1] = 0xfe;
    out.set(body, 2);
    return out;
  }
  const body = new TextEncoder().encode(text);
  if (!bom) return body;
  const out = new Uint8Array(body.length + 3);
  out.set([0xef, 0xbb, 0xbf], 0);
  out.set(body, 3);
  return out;
}
