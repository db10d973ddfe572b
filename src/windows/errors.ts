/**
 * The typed error of the Windows-state area (`src/windows/`, `src/adapters/live/`): every
 * malformed input a domain reader meets (a truncated certificate blob, an undecodable
 * MAPISVC.INF, unparseable `reg.exe` output, a failing command) becomes a
 * {@link WindowsStateError} with a literal `code` and the offending `path` / `offset`.
 *
 * Source: STYLE.md principle 3 ("errors carry codes, not prose").
 */
import { CodedError } from "../util/coded-error.js";

/** Why a Windows-state read failed. */
export type WindowsStateErrorCode =
  /** A binary structure ends before a declared length (certificate blob). */
  | "truncated"
  /** A structure's fields are inconsistent (bad reserved field, zero-length DER, …). */
  | "malformed"
  /** A required element is absent (no CERT_CERT_PROP_ID in a certificate blob). */
  | "missing-element"
  /** An input exceeds a hard size cap (file, property count, output). */
  | "too-large"
  /** Text could not be decoded in its declared encoding. */
  | "bad-encoding"
  /** `reg.exe` output does not follow the documented layout. */
  | "bad-reg-output"
  /** A spawned command failed (non-zero exit other than "not found", or could not start). */
  | "exec-failed";

/** Typed error for the Windows-state readers and the live registry adapter. */
export class WindowsStateError extends CodedError<WindowsStateErrorCode> {
  /** Byte offset inside the structure being decoded, when the error is positional. */
  readonly offset: number | undefined;
  /** Structure name (`"CERT_CERT_PROP_ID"`, `"reg query output"`, …). */
  readonly structure: string | undefined;
  /** Registry key path or Windows file path of the input, when known. */
  readonly path: string | undefined;

  constructor(
    code: WindowsStateErrorCode,
    message: string,
    fields: { offset?: number; structure?: string; path?: string; cause?: unknown } = {},
  ) {
    super(code, message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.offset = fields.offset;
    this.structure = fields.structure;
    this.path = fields.path;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), offset: this.offset, structure: this.structure, path: this.path };
  }
}
