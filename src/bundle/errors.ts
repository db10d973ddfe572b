/**
 * The typed error of the diagnostics-bundle area (`src/bundle/`): every reason a bundle is
 * refused (unsafe member paths, links, size and ratio bombs, tampering) or cannot be made.
 *
 * Source: docs/bundle.md ("Reading is safe"); src/util/coded-error.ts (the base class).
 */
import { CodedError } from "../util/coded-error.js";

/** Why a bundle was refused. */
export type BundleErrorCode =
  /** The file is not a readable zip archive (no end-of-central-directory record, truncated, …). */
  | "not-a-zip"
  /** A member path is absolute: leading `/` or `\`, or a drive letter (`C:`). */
  | "absolute-path"
  /** A member path has a `..` component (zip-slip). */
  | "path-traversal"
  /** A member path is empty, has `.`/empty components, a backslash, control characters, or is not UTF-8. */
  | "bad-name"
  /** Two members have the same name (compared case-insensitively). */
  | "duplicate-entry"
  /** A member is a symbolic link, or another non-regular file (device, FIFO, reparse point). */
  | "link"
  /** A member is encrypted. */
  | "encrypted"
  /** A member uses a compression method other than stored (0) or deflate (8). */
  | "unsupported-compression"
  /** The archive declares more entries than the cap. */
  | "too-many-entries"
  /** A member's declared (or compressed) size is over the per-member cap. */
  | "entry-too-large"
  /** The members' declared sizes add up to more than the total cap. */
  | "total-too-large"
  /** A member's declared compression ratio is over the cap (a zip bomb). */
  | "ratio-too-high"
  /** Inflating a member produced more (or fewer) bytes than declared: stopped at the declared size. */
  | "size-mismatch"
  /** A member's CRC-32 does not match its content. */
  | "crc-mismatch"
  /** `manifest.json` is absent or not the documented shape. */
  | "manifest-invalid"
  /** A member differs from the manifest (sha256 or size), is missing, or is not listed: changed after collection. */
  | "tampered"
  /** A required member (snapshot index, …) is absent or unreadable. */
  | "member-invalid"
  /** Writing the bundle failed (collect). */
  | "write-failed";

/** Typed error for reading and writing diagnostics bundles. */
export class BundleError extends CodedError<BundleErrorCode> {
  /** The offending member path inside the zip, when the error concerns one member. */
  readonly path: string | undefined;
  /** The cap that was exceeded, when the error is a cap (entries or bytes). */
  readonly limit: number | undefined;
  /** The value found (declared size, entry count, ratio), when the error is a cap. */
  readonly actual: number | undefined;

  constructor(
    code: BundleErrorCode,
    message: string,
    fields: { path?: string; limit?: number; actual?: number; cause?: unknown } = {},
  ) {
    super(code, message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.path = fields.path;
    this.limit = fields.limit;
    this.actual = fields.actual;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), path: this.path, limit: this.limit, actual: this.actual };
  }
}
