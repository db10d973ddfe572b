/**
 * The check every image source passes before it is read: the folder must be the root of a
 * Windows system volume (it holds `Windows/`, `Users/`, `Program Files/` or `Documents and
 * Settings/`, in any letter case). A wrong root would otherwise read as "nothing installed".
 *
 * Source: docs/exit-codes.md ("Inputs that are not files": a `--image` path that is not a usable
 * folder is a usage error, checked before any work).
 */
import { readdir } from "node:fs/promises";
import { requireDirectory } from "../../util/safe-file.js";
import { SourceError } from "../errors.js";

/** Top-level folders of a Windows system volume (lower case); an image root must hold one. */
const VOLUME_FOLDERS = ["windows", "users", "program files", "program files (x86)", "documents and settings"];

/**
 * Checks that `dir` is the root of a Windows system volume. A file, FIFO, device, symlink loop
 * or missing path is refused by its code before anything is listed.
 * @throws InputFileError when `dir` is not a directory (`not-found`, `not-a-directory`, …).
 * @throws SourceError `not-an-image-root` when it holds none of the volume's top-level folders.
 */
export async function checkImageRoot(dir: string): Promise<void> {
  await requireDirectory(dir);
  const names = (await readdir(dir).catch(() => [] as string[])).map((n) => n.toLowerCase());
  if (!VOLUME_FOLDERS.some((f) => names.includes(f))) {
    throw new SourceError(
      "not-an-image-root",
      `${dir}: not the root of a Windows system volume (no Windows, Users or Program Files folder)`,
      { path: dir },
    );
  }
}
