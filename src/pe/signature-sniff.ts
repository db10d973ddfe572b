/**
 * Whether a file's first bytes are those of a PE image: `MZ` at offset 0 and `PE\0\0` at the
 * offset `e_lfanew` (0x3C) gives. What `triage -r` picks files by, so a DLL renamed to
 * `update.tmp` is found as sigcheck finds it; nothing else of the file is read.
 *
 * Source: PE/COFF specification §2 "MS-DOS Stub (Image Only)" and §3 "Signature (Image Only)"
 * (https://learn.microsoft.com/en-us/windows/win32/debug/pe-format).
 */
import { E_LFANEW_OFFSET, IMAGE_DOS_HEADER_SIZE } from "./dos-header.js";

/** Bytes read first: the DOS header and stub of nearly every linker put `PE\0\0` within them. */
export const PE_SNIFF_BYTES = 1024;
/** The furthest `PE\0\0` looked for; a header further out is not taken for a PE image. */
export const PE_SNIFF_MAX_LFANEW = 1 << 20;

/**
 * What the first bytes of a file say.
 * @param head - the file's first bytes (all of them when the file is shorter).
 * @returns `"pe"` or `"not-pe"`, or how many first bytes are needed to tell (when `e_lfanew`
 *   points past `head`, at most {@link PE_SNIFF_MAX_LFANEW} + 4).
 */
export function sniffPe(head: Uint8Array): "pe" | "not-pe" | { need: number } {
  if (head.length < IMAGE_DOS_HEADER_SIZE || head[0] !== 0x4d || head[1] !== 0x5a) return "not-pe";
  const lfanew =
    (head[E_LFANEW_OFFSET]! |
      (head[E_LFANEW_OFFSET + 1]! << 8) |
      (head[E_LFANEW_OFFSET + 2]! << 16) |
      (head[E_LFANEW_OFFSET + 3]! << 24)) >>>
    0;
  if (lfanew > PE_SNIFF_MAX_LFANEW) return "not-pe";
  if (lfanew + 4 > head.length) return head.length >= PE_SNIFF_BYTES ? { need: lfanew + 4 } : "not-pe";
  const pe = head[lfanew] === 0x50 && head[lfanew + 1] === 0x45 && !head[lfanew + 2] && !head[lfanew + 3];
  return pe ? "pe" : "not-pe";
}
