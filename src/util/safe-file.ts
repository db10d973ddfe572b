/**
 * Opening paths the user named, safely: the one way koff-doctor reads a `triage` PATH, a
 * `--trust FILE`, a `--bundle FILE`, a `registry export HIVE`, a hive or file inside `--image DIR`.
 *
 * 1. `stat` the path (following symbolic links, which opens nothing): a missing target is
 *    `not-found` or `dangling-symlink`, ELOOP is `symlink-loop`, a folder is `is-a-directory`,
 *    a FIFO, device or socket is `not-a-file`. None of these is ever opened.
 * 2. A reported size over the cap is `too-large` without reading a byte.
 * 3. `open` with O_NONBLOCK (and O_NOCTTY), so a path swapped for a FIFO after step 1 cannot block
 *    the open, then `fstat` the descriptor and refuse anything that is not a regular file.
 * 4. Read at most cap + 1 bytes, whatever the size said (`/proc` files report 0, a file may grow):
 *    cap + 1 bytes read is `too-large`. Nothing is read to the end of an endless stream.
 *
 * Every refusal is an {@link InputFileError} with `code` and `path`; no stack trace reaches the user.
 *
 * The reads are synchronous system calls behind promise-returning functions. `triage -r` reads
 * hundreds of files one after the other; each asynchronous call was a hand-off to libuv's thread
 * pool and back (futex and epoll wake-ups, a promise), which on a warm page cache cost more CPU
 * than the call itself: about 1 s of 8 for 808 files (docs/architecture.md "Triage throughput").
 * None of these calls waits on a FIFO or device (step 3). A read of a stalled network or FUSE
 * mount still blocks, and then Ctrl-C is not seen until it returns (docs/architecture.md).
 *
 * Source: docs/exit-codes.md ("Inputs that are not files"); open(2) (O_NONBLOCK on
 * a FIFO opened for reading returns at once), fifo(7), path_resolution(7) (ELOOP).
 */
import {
  close,
  closeSync,
  constants,
  fstat,
  fstatSync,
  ftruncate,
  lstatSync,
  open,
  openSync,
  readSync,
  statSync,
  write,
  type Stats,
} from "node:fs";
import { promisify } from "node:util";
import { InputFileError, type FileKind, type InputFileErrorCode } from "./input-file-error.js";
import type { ScratchBuffer } from "./scratch-buffer.js";

const fstatAsync = promisify(fstat);
const openAsync = promisify(open);
const closeAsync = promisify(close);
const ftruncateAsync = promisify(ftruncate);

/** Closes `fd`, ignoring errors (it was only read). */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing to do: the descriptor is gone either way.
  }
}

/** Open flags: read-only, never block on a FIFO, never become the controlling terminal. 0 where absent (Windows). */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** What `stats` (a `Stats`, or a `Dirent` from a listing) describes. */
export function fileKind(
  stats: Pick<
    Stats,
    | "isFile"
    | "isDirectory"
    | "isFIFO"
    | "isCharacterDevice"
    | "isBlockDevice"
    | "isSocket"
    | "isSymbolicLink"
  >,
): FileKind {
  if (stats.isFile()) return "file";
  if (stats.isDirectory()) return "directory";
  if (stats.isFIFO()) return "fifo";
  if (stats.isCharacterDevice()) return "character-device";
  if (stats.isBlockDevice()) return "block-device";
  if (stats.isSocket()) return "socket";
  if (stats.isSymbolicLink()) return "symlink";
  return "unknown";
}

const KIND_TEXT: Record<FileKind, string> = {
  file: "a regular file",
  directory: "a directory",
  fifo: "a FIFO (named pipe)",
  "character-device": "a character device",
  "block-device": "a block device",
  socket: "a socket",
  symlink: "a symbolic link",
  unknown: "not a regular file",
};

/** `"a FIFO (named pipe)"`, `"a character device"`, … */
export function describeKind(kind: FileKind): string {
  return KIND_TEXT[kind];
}

/** The typed error for an I/O failure `e` on `path` (ENOENT, ELOOP, EACCES, …). */
function ioError(path: string, e: unknown, writing = false): InputFileError {
  const code = (e as NodeJS.ErrnoException).code;
  const map = (c: InputFileErrorCode, reason: string) => new InputFileError(c, path, reason, { cause: e });
  switch (code) {
    case "ELOOP":
      return map("symlink-loop", "symbolic links loop (ELOOP); not followed");
    case "ENOENT":
    case "ENOTDIR": {
      let link: Stats | undefined;
      try {
        link = lstatSync(path);
      } catch {
        link = undefined;
      }
      return link?.isSymbolicLink()
        ? new InputFileError("dangling-symlink", path, "a symbolic link to nothing (dangling)", {
            kind: "symlink",
            cause: e,
          })
        : map(
            "not-found",
            path.includes("\ufffd")
              ? "no such file or directory by this name: the name on disk may hold bytes that are not UTF-8 (shown as U+FFFD), which cannot be named back to the file system"
              : "no such file or directory",
          );
    }
    case "EACCES":
    case "EPERM":
      return map("permission-denied", `permission denied (${code})`);
    case "EISDIR":
      return new InputFileError("is-a-directory", path, "a directory, not a file", {
        kind: "directory",
        cause: e,
      });
    case "ENXIO":
      // O_NONBLOCK write-open of a FIFO with no reader, or a device without its hardware.
      return new InputFileError("not-a-file", path, "a FIFO or device with no other end (ENXIO)", {
        cause: e,
      });
    default:
      return map(
        writing ? "unwritable" : "unreadable",
        `${writing ? "cannot write" : "cannot read"}: ${code ?? (e as Error).message}`,
      );
  }
}

/** The refusal of a path that is a `kind` other than a regular file. */
function notAFile(path: string, kind: FileKind, writing = false): InputFileError {
  if (kind === "directory")
    return new InputFileError("is-a-directory", path, "a directory, not a file", { kind });
  return new InputFileError(
    "not-a-file",
    path,
    `${describeKind(kind)}, not a regular file; not ${writing ? "written" : "read"}`,
    { kind },
  );
}

/**
 * What `path` is, following symbolic links (`stat`; nothing is opened).
 * @throws InputFileError `not-found`, `dangling-symlink`, `symlink-loop`, `permission-denied`, `unreadable`.
 */
export async function inspectPath(path: string): Promise<{ kind: FileKind; size: number; stats: Stats }> {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (e) {
    throw ioError(path, e);
  }
  return { kind: fileKind(stats), size: stats.size, stats };
}

/**
 * Requires `path` to be a directory (`--image DIR`).
 * @throws InputFileError `not-a-directory` (a file), `not-a-file` (FIFO, device, socket), or one of {@link inspectPath}'s.
 */
export async function requireDirectory(path: string): Promise<void> {
  const { kind } = await inspectPath(path);
  if (kind === "directory") return;
  if (kind === "file")
    throw new InputFileError("not-a-directory", path, "a regular file, not a directory", { kind });
  throw new InputFileError("not-a-file", path, `${describeKind(kind)}, not a directory; not opened`, {
    kind,
  });
}

/** Options of {@link openRegularFile} and {@link readUserFile}. */
export interface SafeReadOptions {
  /** The cap, in bytes (one of src/limits.ts). */
  maxBytes: number;
}

/** Options of {@link readUserFile}. */
export interface UserFileReadOptions extends SafeReadOptions {
  /**
   * Read into this buffer (src/util/scratch-buffer.ts) rather than a new one: the bytes
   * returned are then a view of it, valid until the next read into it.
   */
  into?: ScratchBuffer;
}

/**
 * Opens `path` for reading when it is a regular file of at most `maxBytes` (by its reported
 * size): the file descriptor, to be closed by the caller, and the size.
 * @throws InputFileError (see the module comment); nothing is read.
 */
export async function openRegularFile(
  path: string,
  options: SafeReadOptions,
): Promise<{ fd: number; size: number }> {
  const { kind, size } = await inspectPath(path);
  if (kind !== "file") throw notAFile(path, kind);
  if (size > options.maxBytes) throw tooLarge(path, options.maxBytes, size, 0);
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (e) {
    throw ioError(path, e);
  }
  try {
    // The path may have been swapped between stat and open: judge what was opened.
    const opened = fstatSync(fd);
    const openedKind = fileKind(opened);
    if (openedKind !== "file") throw notAFile(path, openedKind);
    if (opened.size > options.maxBytes) throw tooLarge(path, options.maxBytes, opened.size, 0);
    return { fd, size: opened.size };
  } catch (e) {
    closeQuietly(fd);
    throw e instanceof InputFileError ? e : ioError(path, e);
  }
}

function tooLarge(path: string, limit: number, actual: number, bytesRead: number): InputFileError {
  const what = bytesRead === 0 ? `${actual} bytes` : `more than ${limit} bytes (read ${bytesRead})`;
  return new InputFileError("too-large", path, `${what}, over the ${limit}-byte cap; not read whole`, {
    kind: "file",
    limit,
    actual,
    bytesRead,
  });
}

/**
 * Reads up to `length` bytes from the start of open descriptor `fd`; stops at end of file.
 * @param into - where to read when the file is no larger than it said (else a new buffer).
 * @returns the bytes read (a view of `into`, or a Buffer of its own, not from Node's shared pool).
 */
function readUpTo(fd: number, length: number, sizeHint: number, into?: ScratchBuffer): Uint8Array {
  // Start at the reported size (+1 to see growth), grow by doubling: /proc files report 0.
  const first = Math.min(length, Math.max(sizeHint + 1, 64 * 1024));
  let buf = into === undefined ? Buffer.allocUnsafeSlow(first) : into.claim(first);
  // A kept buffer may be larger than asked: never read past `length` into it.
  let room = Math.min(buf.length, length);
  let filled = 0;
  while (filled < length) {
    if (filled === room) {
      const bigger = Buffer.allocUnsafeSlow(Math.min(length, room * 2));
      buf.copy(bigger, 0, 0, filled);
      buf = bigger;
      room = bigger.length;
    }
    const n = readSync(fd, buf, filled, room - filled, filled);
    if (n === 0) break;
    filled += n;
  }
  // Unpooled, so the view starts at offset 0 of its ArrayBuffer.
  return buf.subarray(0, filled);
}

/**
 * The whole content of the regular file at `path`, at most `maxBytes` long (a view of
 * `options.into` when given).
 * @throws InputFileError `too-large` when the file reports more than `maxBytes` (nothing read) or
 *   yields more when read (cap + 1 bytes read), or any refusal of {@link openRegularFile}.
 */
export async function readUserFile(path: string, options: UserFileReadOptions): Promise<Uint8Array> {
  const { fd, size } = await openRegularFile(path, options);
  try {
    const bytes = readUpTo(fd, options.maxBytes + 1, size, options.into);
    if (bytes.length > options.maxBytes)
      throw tooLarge(path, options.maxBytes, options.maxBytes + 1, bytes.length);
    return bytes;
  } catch (e) {
    throw e instanceof InputFileError ? e : ioError(path, e);
  } finally {
    closeQuietly(fd);
  }
}

/**
 * The first `length` bytes of the regular file at `path` (fewer when it is shorter); never
 * reads more than `length` bytes, whatever the file's size.
 * @throws InputFileError as {@link openRegularFile} (with no size cap).
 */
export async function readUserFileHead(path: string, length: number): Promise<Uint8Array> {
  const { fd, size } = await openRegularFile(path, { maxBytes: Number.MAX_SAFE_INTEGER });
  try {
    return readUpTo(fd, length, Math.min(size, length));
  } catch (e) {
    throw e instanceof InputFileError ? e : ioError(path, e);
  } finally {
    closeQuietly(fd);
  }
}

/** A regular file opened by {@link openUserFileRanges}. */
export interface UserFileRanges {
  /** Its size in bytes when opened (`fstat`). */
  readonly size: number;
  /** `length` bytes at `offset`, or `undefined` when they cannot all be read (I/O error, a shorter file). */
  read(offset: number, length: number): Promise<Uint8Array | undefined>;
  /** Closes the descriptor (once; later calls do nothing). */
  close(): Promise<void>;
}

/**
 * The regular file at `path` opened for reads by range, as {@link openRegularFile} opens it (the
 * same refusals, nothing read yet): the caller reads what it needs and closes it.
 * @throws InputFileError as {@link openRegularFile}.
 */
export async function openUserFileRanges(path: string, options: SafeReadOptions): Promise<UserFileRanges> {
  const { fd, size } = await openRegularFile(path, options);
  return rangesOver(fd, size);
}

/**
 * Opens a file a listing found (not one the user named), without a `stat` first: `open` with
 * O_NOFOLLOW as well as O_NONBLOCK, so a symbolic link at the last component is refused by the
 * same call that opens (ELOOP; no window between a check and the open), then `fstat` of the
 * descriptor refuses anything that is not a regular file of at most `maxBytes`. The caller owns
 * the descriptor (close it, or hand it to {@link rangesOver}).
 * @throws InputFileError `not-a-file` (a symbolic link, FIFO, device or socket), `is-a-directory`,
 *   `too-large`, and the I/O codes of the open.
 */
export function openFoundFile(path: string, options: SafeReadOptions): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ELOOP")
      throw new InputFileError("not-a-file", path, "a symbolic link; not followed", {
        kind: "symlink",
        cause: e,
      });
    throw ioError(path, e);
  }
  try {
    const opened = fstatSync(fd);
    const kind = fileKind(opened);
    if (kind !== "file") throw notAFile(path, kind);
    if (opened.size > options.maxBytes) throw tooLarge(path, options.maxBytes, opened.size, 0);
    return { fd, size: opened.size };
  } catch (e) {
    closeQuietly(fd);
    throw e instanceof InputFileError ? e : ioError(path, e);
  }
}

/** Closes a descriptor opened by {@link openFoundFile} that will not be read. */
export function closeFoundFile(fd: number): void {
  closeQuietly(fd);
}

/** Reads by range over open descriptor `fd` of a `size`-byte regular file; closing it closes `fd`. */
export function rangesOver(fd: number, size: number): UserFileRanges {
  let closed = false;
  return {
    size,
    async read(offset, length) {
      if (closed || offset < 0 || length < 0 || offset + length > size) return undefined;
      const buf = Buffer.allocUnsafeSlow(length);
      let filled = 0;
      try {
        while (filled < length) {
          const n = readSync(fd, buf, filled, length - filled, offset + filled);
          if (n === 0) return undefined;
          filled += n;
        }
      } catch {
        return undefined;
      }
      return buf;
    },
    async close() {
      if (closed) return;
      closed = true;
      closeQuietly(fd);
    },
  };
}

/**
 * Checks that `path` can be written as a regular file (`--html FILE`, `--out FILE.zip`): it does
 * not exist yet, or is a regular file. Nothing is opened.
 * @throws InputFileError `is-a-directory`, `not-a-file` (FIFO, device, socket), `symlink-loop`,
 *   `dangling-symlink` is allowed only as "does not exist" is (the link is replaced), `permission-denied`.
 */
export async function checkWritableTarget(path: string): Promise<void> {
  try {
    const { kind } = await inspectPath(path);
    if (kind !== "file") throw notAFile(path, kind, true);
  } catch (e) {
    if (e instanceof InputFileError && (e.code === "not-found" || e.code === "dangling-symlink")) return;
    throw e;
  }
}

/**
 * Writes `data` to `path` as a regular file, creating or replacing its content. A FIFO, device,
 * socket or folder at the path is refused without blocking (O_NONBLOCK, then `fstat`), and is
 * never truncated.
 * @throws InputFileError `is-a-directory`, `not-a-file`, `symlink-loop`, `permission-denied`, `unwritable`.
 */
export async function writeUserFile(path: string, data: string | Uint8Array): Promise<void> {
  await checkWritableTarget(path);
  const flags =
    constants.O_WRONLY | constants.O_CREAT | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
  let fd: number;
  try {
    fd = await openAsync(path, flags, 0o666);
  } catch (e) {
    throw ioError(path, e, true);
  }
  try {
    const opened = await fstatAsync(fd);
    const kind = fileKind(opened);
    if (kind !== "file") throw notAFile(path, kind, true);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    await ftruncateAsync(fd, 0);
    let written = 0;
    while (written < bytes.length) {
      written += await new Promise<number>((resolve, reject) =>
        write(fd, bytes, written, bytes.length - written, written, (err, n) =>
          err ? reject(err) : resolve(n),
        ),
      );
    }
  } catch (e) {
    throw e instanceof InputFileError ? e : ioError(path, e, true);
  } finally {
    await closeAsync(fd).catch(() => undefined);
  }
}
