/**
 * Expands the PATH arguments of `triage` into files: a file is taken as is; a directory gives its
 * PE-looking files (by extension), recursively with `--recursive`. Symbolic links are not followed
 * into directories, a visited set guards against loops, and the walk is capped.
 */
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";

/** Extensions of PE images picked from directories (explicit file arguments are always taken). */
const PE_EXTENSIONS = new Set([
  ".dll",
  ".exe",
  ".sys",
  ".efi",
  ".ocx",
  ".cpl",
  ".drv",
  ".scr",
  ".mui",
  ".signed",
]);

/** Most files one invocation walks (bounded memory for a mistaken `--recursive /`). */
export const MAX_INPUT_FILES = 100_000;

export interface InputFile {
  path: string;
  /** Set when the argument could not be used (missing, unreadable). */
  problem?: { code: "not-found" | "unreadable" | "too-many-files"; message: string };
}

export async function expandInputs(args: string[], recursive: boolean): Promise<InputFile[]> {
  const out: InputFile[] = [];
  const visited = new Set<string>();

  async function walk(dir: string, depth: number): Promise<void> {
    const real = await realpath(dir).catch(() => dir);
    if (visited.has(real)) return;
    visited.add(real);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      out.push({ path: dir, problem: { code: "unreadable", message: (e as Error).message } });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (out.length >= MAX_INPUT_FILES) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (recursive) await walk(full, depth + 1);
      } else if (entry.isFile() && PE_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
        out.push({ path: full });
      }
    }
  }

  for (const arg of args) {
    const info = await stat(arg).catch(() => undefined);
    if (!info) {
      const dangling = await lstat(arg).catch(() => undefined);
      out.push({
        path: arg,
        problem: {
          code: "not-found",
          message: dangling ? "dangling symbolic link" : "no such file or directory",
        },
      });
    } else if (info.isDirectory()) {
      await walk(arg, 0);
    } else {
      out.push({ path: arg });
    }
    if (out.length >= MAX_INPUT_FILES) {
      out.push({
        path: arg,
        problem: { code: "too-many-files", message: `stopped after ${MAX_INPUT_FILES} files` },
      });
      break;
    }
  }
  return out;
}
