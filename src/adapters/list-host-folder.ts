/**
 * One folder of this machine's disk as the file-system port lists it (src/ports/file-system.ts):
 * folders and regular files with their sizes, and a symbolic link as a file of size 0 that the
 * port never reads (so a search over the folder, side-loading, counts it as not read instead of
 * missing it). FIFOs, devices and sockets are left out, never opened.
 *
 * Source: readdir(3) and lstat(2) (https://man7.org/linux/man-pages/man2/open.2.html lists the
 * file types); docs/verdict.md ("side-loading").
 */
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import type { DirEntry } from "../ports/file-system.js";

/**
 * The entries of the host folder `dir` in `order`, or `undefined` when it cannot be listed.
 * A regular file's size is its `lstat` size in bytes; a file that is no longer regular by the
 * time it is examined is left out.
 */
export async function listHostFolder(
  dir: string,
  order: (a: string, b: string) => number,
): Promise<DirEntry[] | undefined> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return undefined;
  const out: DirEntry[] = [];
  for (const e of entries) {
    if (e.isSymbolicLink()) out.push({ name: e.name, kind: "file", size: 0 });
    else if (e.isDirectory()) out.push({ name: e.name, kind: "dir", size: 0 });
    else if (e.isFile()) {
      const info = await lstat(path.join(dir, e.name)).catch(() => undefined);
      if (info?.isFile()) out.push({ name: e.name, kind: "file", size: info.size, mtime: info.mtime });
    }
  }
  return out.sort((a, b) => order(a.name, b.name));
}
