/**
 * IMAGE_DOS_HEADER: the 64-byte MS-DOS header whose `e_magic` must be `MZ` and whose `e_lfanew`
 * (offset 0x3C) gives the file offset of the `PE\0\0` signature.
 *
 * Source: PE/COFF specification §2 "MS-DOS Stub (Image Only)" and §3 "Signature (Image Only)".
 */
import { PeFormatError } from "./errors.js";
import type { ParseContext } from "./parse-context.js";
import type { DosHeader } from "./types.js";

/** `MZ` read as a little-endian u16. */
export const IMAGE_DOS_SIGNATURE = 0x5a4d;
/** Size of IMAGE_DOS_HEADER in bytes. */
export const IMAGE_DOS_HEADER_SIZE = 64;
/** Offset of `e_lfanew` inside IMAGE_DOS_HEADER. */
export const E_LFANEW_OFFSET = 0x3c;

/**
 * Reads IMAGE_DOS_HEADER at offset 0. All failures are fatal in both modes.
 * @throws PeFormatError `not-pe` (empty input), `bad-dos-signature` (no `MZ`), `truncated`
 *   (shorter than 64 bytes), `bad-lfanew` (`e_lfanew` leaves no room for `PE\0\0` in the file).
 */
export function parseDosHeader(ctx: ParseContext): DosHeader {
  const r = ctx.reader;
  const structure = "IMAGE_DOS_HEADER";
  if (r.size === 0) throw new PeFormatError("not-pe", "The input is empty", { offset: 0, structure });
  if (r.size < 2 || r.u16(0, structure) !== IMAGE_DOS_SIGNATURE) {
    throw new PeFormatError("bad-dos-signature", "e_magic is not 'MZ': not a PE image", {
      offset: 0,
      structure,
    });
  }
  r.require(0, IMAGE_DOS_HEADER_SIZE, structure);
  const lfanew = r.u32(E_LFANEW_OFFSET, structure);
  if (!r.has(lfanew, 4)) {
    throw new PeFormatError(
      "bad-lfanew",
      `e_lfanew (0x${lfanew.toString(16)}) points outside the file (${r.size} bytes)`,
      { offset: E_LFANEW_OFFSET, structure },
    );
  }
  return { magic: IMAGE_DOS_SIGNATURE, lfanew };
}
