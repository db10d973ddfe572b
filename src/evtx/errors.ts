/**
 * The EVTX area's typed error. The reader throws an {@link EvtxError} only when the file as a
 * whole cannot be read (no `ElfFile` header); a damaged chunk or record becomes an anomaly
 * carrying the same code and offset, and reading goes on with the next sound structure.
 *
 * Source: structure names follow libyal's "Windows XML Event Log (EVTX) format"
 * (https://github.com/libyal/libevtx/blob/main/documentation/Windows%20XML%20Event%20Log%20(EVTX).asciidoc)
 * and [MS-EVEN6] section 3.1.4.7 (BinXml,
 * https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-even6/).
 */
import { LocatedError } from "../util/coded-error.js";

/**
 * Why an EVTX structure could not be read.
 *
 * - `not-evtx`: no `ElfFile\0` signature at offset 0, or the file is shorter than its header.
 * - `truncated`: a structure runs past the end of its chunk, record or the file.
 * - `bad-signature`: a chunk without `ElfChnk\0`, a record without `**\0\0`.
 * - `bad-crc`: a CRC32 stored in the file does not match the bytes (reported, never trusted).
 * - `count-over-limit`: a count read from the file is above the reader's cap (src/evtx/limits.ts).
 * - `depth-over-limit`: elements or template instances nest deeper than the cap.
 * - `cycle`: a template definition instantiates itself.
 * - `bad-token`: a BinXml token that is unknown or not allowed where it stands.
 * - `bad-value`: a substitution value whose size does not fit its type.
 * - `malformed`: any other inconsistency (sizes that disagree, offsets outside the chunk).
 */
export type EvtxErrorCode =
  | "not-evtx"
  | "truncated"
  | "bad-signature"
  | "bad-crc"
  | "count-over-limit"
  | "depth-over-limit"
  | "cycle"
  | "bad-token"
  | "bad-value"
  | "malformed";

/** An EVTX structure that cannot be read; `offset` is from the start of the file. */
export class EvtxError extends LocatedError<EvtxErrorCode> {
  constructor(
    code: EvtxErrorCode,
    message: string,
    fields: { offset?: number; structure?: string; path?: string } = {},
  ) {
    super(code, message, fields);
  }
}

/**
 * The `ByteReader` out-of-bounds factory for one chunk: every short read is `truncated`, with
 * the offset translated from the chunk to the file.
 */
export function evtxOutOfBounds(base: number) {
  return (offset: number, length: number, structure: string, size: number): EvtxError =>
    new EvtxError(
      "truncated",
      `${structure}: ${length} byte(s) at offset ${base + offset} run past the end of the block (${size} bytes)`,
      { offset: base + offset, structure },
    );
}
