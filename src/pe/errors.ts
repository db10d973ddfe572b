/**
 * The PE area's typed error. Every problem the PE parser refuses to forgive (always: a missing
 * `MZ` or `PE\0\0`, a truncated COFF or optional header; in strict mode: anything recorded as an
 * anomaly in permissive mode) surfaces as a {@link PeFormatError} with a literal `code`, the file
 * offset concerned and the spec structure being read.
 *
 * Source: structure names follow the Microsoft PE/COFF specification
 * (https://learn.microsoft.com/en-us/windows/win32/debug/pe-format); src/util/coded-error.ts (the
 * base class).
 */
import { CodedError } from "../util/coded-error.js";

/**
 * Why a PE could not be parsed.
 *
 * - `not-pe`: the input is empty.
 * - `truncated`: a structure runs past the end of the file.
 * - `bad-dos-signature`: `e_magic` is not `MZ`.
 * - `bad-lfanew`: `e_lfanew` points outside the file.
 * - `bad-nt-signature`: no `PE\0\0` at `e_lfanew`.
 * - `bad-optional-header-magic`: optional-header magic is neither 0x10B nor 0x20B.
 * - `count-over-limit`: a count read from the file is above the parser's documented cap.
 * - `cycle`: a graph in the file (resource tree) loops back on itself.
 * - `rva-unmapped`: an RVA lies in no section, nor in the headers, nor in the file.
 * - `malformed`: any other structural inconsistency (bad lengths, bad signatures of sub-structures).
 */
export type PeFormatErrorCode =
  | "not-pe"
  | "truncated"
  | "bad-dos-signature"
  | "bad-lfanew"
  | "bad-nt-signature"
  | "bad-optional-header-magic"
  | "count-over-limit"
  | "cycle"
  | "rva-unmapped"
  | "malformed";

/** A PE/COFF image that cannot be parsed (or, in strict mode, is not clean). */
export class PeFormatError extends CodedError<PeFormatErrorCode> {
  /** File offset where the problem was seen (bytes), when known. */
  readonly offset: number | undefined;
  /** The spec structure being read, e.g. `"IMAGE_NT_HEADERS"`. */
  readonly structure: string | undefined;

  constructor(
    code: PeFormatErrorCode,
    message: string,
    fields: { offset?: number; structure?: string; cause?: unknown } = {},
  ) {
    super(code, message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.offset = fields.offset;
    this.structure = fields.structure;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), offset: this.offset, structure: this.structure };
  }
}

/** The `ByteReader` out-of-bounds factory for PE parsing: every short read is `truncated`. */
export function peOutOfBounds(
  offset: number,
  length: number,
  structure: string,
  size: number,
): PeFormatError {
  return new PeFormatError(
    "truncated",
    `${structure}: ${length} byte(s) at offset ${offset} run past the end of the file (${size} bytes)`,
    { offset, structure },
  );
}
