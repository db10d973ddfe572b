/**
 * OEM code pages used by console programs (`reg.exe`, `tasklist`, `netstat`) when their output is
 * redirected to a pipe: Windows writes console-program text in the console's OEM code page
 * (`chcp`), e.g. 437 (US, and Wine's default), 850 (Western Europe), 852 (Czech, Polish,
 * Hungarian), 866 (Russian), or a double-byte page (932 Japanese, 936 Simplified Chinese, 949
 * Korean, 950 Traditional Chinese). Decoding is iconv-lite's (https://github.com/ashtuff/iconv-lite),
 * which carries every one of them.
 *
 * Source: Microsoft, "Code Page Identifiers"
 * (https://learn.microsoft.com/windows/win32/intl/code-page-identifiers): the OEM code pages
 * Windows sets as a locale's OEMCP. Non-ASCII data read through this path is still lossy for any
 * character outside the code page; use `reg export` (UTF-16LE) when names matter.
 */
import iconv from "iconv-lite";

/** The code pages Windows uses as a console's OEM code page (a locale's OEMCP). */
export const OEM_CODE_PAGES = [
  437, 720, 737, 775, 850, 852, 855, 857, 858, 860, 861, 862, 863, 864, 865, 866, 869, 874, 932, 936, 949,
  950, 1258,
] as const;

/** An OEM code page this module decodes. */
export type OemCodePage = (typeof OEM_CODE_PAGES)[number];

const KNOWN = new Set<number>(OEM_CODE_PAGES);

/** True when `cp` is a Windows OEM code page {@link decodeOem} knows. */
export function isKnownOemCodePage(cp: number): cp is OemCodePage {
  return KNOWN.has(cp);
}

/** Decodes `bytes` in OEM code page `cp`. Bytes a code page does not map become U+FFFD. */
export function decodeOem(bytes: Uint8Array, cp: OemCodePage): string {
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), `cp${cp}`);
}
