/**
 * The typed error of reading (or writing) a path the user named: a `triage` PATH, `--trust FILE`,
 * `--bundle FILE`, `registry export HIVE`, `--image DIR`, `--html FILE`, or a file inside an
 * image. It says why the path is not a usable regular file, or that it is over its cap.
 *
 * Source: docs/exit-codes.md ("Inputs that are not files").
 */
import { CodedError } from "./coded-error.js";

/** Why a user-named path was refused. */
export type InputFileErrorCode =
  /** Nothing exists at the path (or a parent is not a folder). */
  | "not-found"
  /** A symbolic link whose target does not exist. */
  | "dangling-symlink"
  /** Symbolic links that lead back to themselves (ELOOP): `a -> b -> a`, `a -> a`. */
  | "symlink-loop"
  /** A folder where a file was wanted (e.g. `triage DIR` without `-r`). */
  | "is-a-directory"
  /** A regular file where a folder was wanted (`--image FILE`). */
  | "not-a-directory"
  /** A FIFO, character or block device, or socket: never opened for reading (it may block or never end). */
  | "not-a-file"
  /** More bytes than the cap (by its size, or by reading cap + 1 bytes). */
  | "too-large"
  /** A path inside the image root (`--image DIR`) whose real location lies outside it (a link leading out). */
  | "outside-root"
  /** The operating system refused access (EACCES, EPERM). */
  | "permission-denied"
  /** Any other I/O failure while reading. */
  | "unreadable"
  /** Any other I/O failure while writing. */
  | "unwritable";

/** What a path turned out to be, for messages and JSON. */
export type FileKind =
  "file" | "directory" | "fifo" | "character-device" | "block-device" | "socket" | "symlink" | "unknown";

/** Typed error for user-named paths. */
export class InputFileError extends CodedError<InputFileErrorCode> {
  /** The path as the user gave it. */
  readonly path: string;
  /** The reason without the path, e.g. `"a FIFO (named pipe), not a regular file; not opened"`. */
  readonly reason: string;
  /** What the path is, when known. */
  readonly kind: FileKind | undefined;
  /** The cap that was exceeded (`too-large`), in bytes. */
  readonly limit: number | undefined;
  /** The size found (`too-large`), in bytes: the reported size, or cap + 1 when reading found more. */
  readonly actual: number | undefined;
  /** Bytes read before refusing (0 when refused on its type or reported size). */
  readonly bytesRead: number;

  constructor(
    code: InputFileErrorCode,
    path: string,
    reason: string,
    fields: { kind?: FileKind; limit?: number; actual?: number; bytesRead?: number; cause?: unknown } = {},
  ) {
    super(code, `${path}: ${reason}`, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.path = path;
    this.reason = reason;
    this.kind = fields.kind;
    this.limit = fields.limit;
    this.actual = fields.actual;
    this.bytesRead = fields.bytesRead ?? 0;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      path: this.path,
      kind: this.kind,
      limit: this.limit,
      actual: this.actual,
    };
  }
}

/** Every {@link InputFileErrorCode}, to tell an input refusal from a parser error in a record. */
export const INPUT_FILE_ERROR_CODES: ReadonlySet<string> = new Set(
  Object.keys({
    "not-found": true,
    "dangling-symlink": true,
    "symlink-loop": true,
    "is-a-directory": true,
    "not-a-directory": true,
    "not-a-file": true,
    "too-large": true,
    "outside-root": true,
    "permission-denied": true,
    unreadable: true,
    unwritable: true,
  } satisfies Record<InputFileErrorCode, true>),
);
