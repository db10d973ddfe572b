/**
 * The typed error of opening a source ({@link openSource}): a source that cannot be read in
 * this mode, before any fact is gathered. Errors of the source's own content keep their own
 * types (`InputFileError` for a path that is not a folder, `BundleError` for a refused bundle).
 *
 * Source: docs/exit-codes.md (the CLI turns both codes into usage errors, exit 64).
 */
import { CodedError } from "../util/coded-error.js";

/** Why a source cannot be opened. */
export type SourceErrorCode =
  /** Live mode was asked for on an OS other than Windows. */
  | "live-unsupported"
  /** An image folder holds none of a Windows system volume's top-level folders. */
  | "not-an-image-root"
  /** A path given as a file's original Windows path is not one (`C:\…` or `\\server\share\…`). */
  | "not-a-windows-path";

/** A source that cannot be opened, with the path concerned when there is one. */
export class SourceError extends CodedError<SourceErrorCode> {
  /** The folder or file concerned, when there is one. */
  readonly path: string | undefined;

  constructor(code: SourceErrorCode, message: string, fields: { path?: string } = {}) {
    super(code, message);
    this.path = fields.path;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), path: this.path };
  }
}
