/**
 * The typed error of the Windows-state area (`src/windows/`, `src/adapters/live/`): every
 * malformed input a domain reader meets (a truncated certificate blob, an undecodable
 * MAPISVC.INF, unparseable `reg.exe` output, a failing command) becomes a
 * {@link WindowsStateError} with a literal `code` and the offending `path` / `offset`.
 *
 * Source: src/util/coded-error.ts (the base class); docs/windows-state.md.
 */
import { LocatedError, type ErrorLocation } from "../util/coded-error.js";

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
  | "exec-failed"
  /**
   * A command exited 0 but its output holds no real answer (empty, or not the documented layout):
   * a stub (Wine's `tasklist`, `wevtutil`, `powershell`) or a refused option. The fact is unknown.
   */
  | "no-answer";

/** Typed error for the Windows-state readers and the live registry adapter. */
export class WindowsStateError extends LocatedError<WindowsStateErrorCode> {
  constructor(
    code: WindowsStateErrorCode,
    message: string,
    fields: ErrorLocation & { cause?: unknown } = {},
  ) {
    super(code, message, fields);
  }
}
