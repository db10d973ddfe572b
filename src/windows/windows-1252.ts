/**
 * Windows-1252 ("ANSI" on Western-European/US Windows, the ACP MAPI uses for PT_STRING8 and the
 * encoding of a BOM-less MAPISVC.INF) decoding.
 *
 * Node 20's `TextDecoder("windows-1252")` (and `"latin1"`) decodes bytes 0x80–0x9F as the C1
 * control characters U+0080–U+009F, i.e. as ISO-8859-1 — not as Windows-1252 (0x80 must be
 * U+20AC "€"). This module fixes up that range explicitly. The five bytes Windows-1252 leaves
 * undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the same-numbered C1 code point, as
 * `MultiByteToWideChar` and the WHATWG Encoding Standard do.
 *
 * Source: WHATWG Encoding Standard, index-windows-1252; Microsoft code page 1252 table.
 */

/** Code points of bytes 0x80–0x9F in Windows-1252. */
const HIGH_C1: readonly number[] = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152,
  0x008d, 0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122,
  0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];

/** Decodes Windows-1252 bytes to a string (every byte maps to exactly one UTF-16 code unit). */
export function decodeWindows1252(bytes: Uint8Array): string {
  let out = "";
  // Chunked String.fromCharCode keeps this linear without building a huge argument list.
  const CHUNK = 8192;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    const codes = new Array<number>(end - start);
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      codes[i - start] = b >= 0x80 && b <= 0x9f ? HIGH_C1[b - 0x80]! : b;
    }
    out += String.fromCharCode(...codes);
  }
  return out;
}

/**
 * Encodes a string as Windows-1252 bytes, or `undefined` when a character has no Windows-1252
 * byte (the inverse of {@link decodeWindows1252}).
 */
export function encodeWindows1252(s: string): Uint8Array | undefined {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) out[i] = c;
    else {
      const j = HIGH_C1.indexOf(c);
      if (j < 0) return undefined;
      out[i] = 0x80 + j;
    }
  }
  return out;
}
