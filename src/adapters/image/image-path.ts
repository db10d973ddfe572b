/**
 * Case-insensitive path resolution inside a Windows image directory (Windows file names are
 * case-insensitive; the image may sit on a case-sensitive Linux file system), never leaving the
 * image root: components `..`, `.`, empty or holding a separator are refused, and the resolved
 * real path (after symlinks) must lie under the image root's real path.
 *
 * Source: src/ports/file-system.ts (image adapters "never follow a path out of their root").
 */
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";

/** True when `seg` is a plain file-name component. */
function isPlainComponent(seg: string): boolean {
  return seg !== "" && seg !== "." && seg !== ".." && !/[\\/\0]/.test(seg);
}

/**
 * The host path of `segments` under `root`, matched case-insensitively (an exact-case entry wins;
 * otherwise the first case-insensitive match in code-unit order), or `undefined` when a component is
 * missing, not plain, or the result escapes `root`. Never throws for I/O errors (they read as missing).
 */
export async function resolveInImage(root: string, segments: readonly string[]): Promise<string | undefined> {
  if (!segments.every(isPlainComponent)) return undefined;
  try {
    const realRoot = await realpath(root);
    let cur = realRoot;
    for (const seg of segments) {
      const entries = (await readdir(cur)).sort();
      const exact = entries.find((e) => e === seg);
      const up = seg.toUpperCase();
      const match = exact ?? entries.find((e) => e.toUpperCase() === up);
      if (match === undefined) return undefined;
      cur = path.join(cur, match);
    }
    const real = await realpath(cur);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

/** The entries of directory `segments` under `root` (resolved as {@link resolveInImage}), or `undefined`. */
export async function listInImage(
  root: string,
  segments: readonly string[],
): Promise<Array<{ name: string; dir: boolean }> | undefined> {
  const dir = await resolveInImage(root, segments);
  if (dir === undefined) return undefined;
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    const out: Array<{ name: string; dir: boolean }> = [];
    for (const e of entries) {
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        const target = await resolveInImage(root, [...segments, e.name]);
        isDir = target !== undefined && (await stat(target)).isDirectory();
      }
      out.push({ name: e.name, dir: isDir });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return undefined;
  }
}
