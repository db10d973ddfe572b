/**
 * OEM code pages used by console programs such as `reg.exe` when their output is redirected to a
 * pipe: Windows writes console-program text in the console's OEM code page (`chcp`), e.g. 437
 * (US, and Wine's default) or 850 (Western Europe). Only the high half (0x80–0xFF) differs from
 * ASCII; these tables give its code points.
 *
 * Source: Microsoft code page 437 and 850 tables (the same data as the Unicode consortium's
 * VENDORS/MICSFT/PC mappings). Non-ASCII data read through this path is still lossy for any
 * character outside the code page; use `reg export` (UTF-16LE) when names matter.
 */

const HIGH: Record<OemCodePage, string> = {
  437: "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0",
  850: "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0",
};

/** OEM code pages this module decodes. */
export type OemCodePage = 437 | 850;

/** True when `cp` is a code page {@link decodeOem} knows. */
export function isKnownOemCodePage(cp: number): cp is OemCodePage {
  return cp === 437 || cp === 850;
}

/** Decodes `bytes` in OEM code page `cp` (ASCII below 0x80, the table above). */
export function decodeOem(bytes: Uint8Array, cp: OemCodePage): string {
  const high = HIGH[cp];
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += b < 0x80 ? String.fromCharCode(b) : high[b - 0x80]!;
  }
  return out;
}
