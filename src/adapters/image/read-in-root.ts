/**
 * Reading a file an image adapter found (a hive, a transaction log) without ever reading outside
 * the image: open, then check what was opened, then read from that descriptor
 * ({@link openFoundFile}: no link followed at the last component, nothing but a regular file of
 * at most the cap; the descriptor's real location inside the root, see src/adapters/opened-location.ts).
 * A check of the path followed by a read of the path could be raced: the file swapped for a link
 * out of the image in between.
 *
 * Source: open(2) O_NOFOLLOW and O_NONBLOCK (https://man7.org/linux/man-pages/man2/open.2.html);
 * src/adapters/image/image-path.ts (the image root rule).
 */
import { realpath } from "node:fs/promises";
import { InputFileError } from "../../util/input-file-error.js";
import { openFoundFile, rangesOver } from "../../util/safe-file.js";
import { isInside, openedLocation } from "../opened-location.js";

/** The folder no file may lead out of: its real path, and how refusals name it (`"the image"`). */
export interface ImageRoot {
  realRoot: string;
  rootName: string;
}

/**
 * The bytes of `file` (a hive or a transaction log found in the image), read as every file an
 * image listing finds is read: opened without
 * following a link at its last component ({@link openFoundFile}: O_NOFOLLOW, O_NONBLOCK, then
 * `fstat` refuses a folder, FIFO, device or socket and a size over the cap before a byte is read),
 * its real location taken from the descriptor and refused outside `root`, then read from that
 * descriptor. A link is followed only when its target lies inside `root`, and the target is
 * opened the same way; so what is read is what was checked, with no window between the two.
 * @throws InputFileError `outside-root`, `symlink-loop`, `dangling-symlink`, `unreadable` (the file
 *   shrank while read), and the codes of {@link openFoundFile}.
 */
export async function readFileInRoot(root: ImageRoot, file: string, maxBytes: number): Promise<Uint8Array> {
  let opened: { fd: number; size: number };
  try {
    opened = openFoundFile(file, { maxBytes });
  } catch (e) {
    if (!(e instanceof InputFileError) || e.kind !== "symlink") throw e;
    opened = openFoundFile(await linkTargetInside(root, file), { maxBytes });
  }
  const ranges = rangesOver(opened.fd, opened.size);
  try {
    const where = await openedLocation(opened.fd, file);
    if (where === undefined || !isInside(root.realRoot, where)) throw outsideRoot(root, file);
    const bytes = await ranges.read(0, opened.size);
    if (bytes === undefined)
      throw new InputFileError("unreadable", file, "the file could not be read whole (it shrank while read)");
    return bytes;
  } finally {
    await ranges.close();
  }
}

/**
 * The real path of link `file` when it lies inside `root` (only the path is resolved; nothing
 * is opened).
 * @throws InputFileError `outside-root`, `symlink-loop`, `dangling-symlink`.
 */
async function linkTargetInside(root: ImageRoot, file: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(file);
  } catch (e) {
    const loop = (e as NodeJS.ErrnoException).code === "ELOOP";
    throw new InputFileError(
      loop ? "symlink-loop" : "dangling-symlink",
      file,
      loop ? "symbolic links loop (ELOOP); not followed" : "a symbolic link to nothing (dangling)",
      { kind: "symlink", cause: e },
    );
  }
  if (!isInside(root.realRoot, real)) throw outsideRoot(root, file);
  return real;
}

/** The refusal of a file whose real location lies outside the root. */
function outsideRoot(root: ImageRoot, file: string): InputFileError {
  const reason = `a symbolic link leading out of ${root.rootName}; not read`;
  return new InputFileError("outside-root", file, reason, { kind: "symlink" });
}
