/**
 * FileSystemPort over the running Windows machine's own disks: Windows paths are host paths.
 * Symbolic links and junctions are reported as absent rather than followed, as in image mode.
 */
import { realpath } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { promisify } from "node:util";

const realpathNative = promisify(realpath.native);
import { joinWindowsPath, normalizeWindowsPath } from "../../paths/windows-path.js";
import type { DirEntry, FileStat, FileSystemPort } from "../../ports/file-system.js";
import { READ_LIMITS } from "../../limits.js";
import { readUserFile, readUserFileHead } from "../../util/safe-file.js";

export class LiveFileSystem implements FileSystemPort {
  describe(): string {
    return "live";
  }

  /**
   * The file's real path: 8.3 short names (`PROGRA~2`) expanded and letter case as stored, so
   * folder comparisons work; links and junctions are reported as absent, not followed.
   */
  async hostPath(p: string): Promise<string | undefined> {
    const n = normalizeWindowsPath(p);
    const info = await lstat(n).catch(() => undefined);
    if (!info || info.isSymbolicLink()) return undefined;
    return realpathNative(n).then(normalizeWindowsPath, () => n);
  }

  async stat(p: string): Promise<FileStat | undefined> {
    const info = await lstat(normalizeWindowsPath(p)).catch(() => undefined);
    if (!info || info.isSymbolicLink()) return undefined;
    if (info.isDirectory()) return { kind: "dir", size: 0, mtime: info.mtime };
    return info.isFile() ? { kind: "file", size: info.size, mtime: info.mtime } : undefined;
  }

  async list(p: string): Promise<DirEntry[] | undefined> {
    const dir = normalizeWindowsPath(p);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
    if (!entries) return undefined;
    const out: DirEntry[] = [];
    for (const e of entries) {
      if (e.isDirectory()) out.push({ name: e.name, kind: "dir", size: 0 });
      else if (e.isFile()) {
        const s = await this.stat(joinWindowsPath(dir, e.name));
        if (s) out.push({ name: e.name, ...s });
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Reads through {@link readUserFile}: regular files only, at most `maxBytes` + 1 bytes read. */
  async readFile(p: string, maxBytes: number = READ_LIMITS.peFileBytes): Promise<Uint8Array | undefined> {
    const s = await this.stat(p);
    if (s?.kind !== "file" || s.size > maxBytes) return undefined;
    return readUserFile(normalizeWindowsPath(p), { maxBytes }).catch(() => undefined);
  }

  async readHead(p: string, length: number): Promise<Uint8Array | undefined> {
    const s = await this.stat(p);
    if (s?.kind !== "file") return undefined;
    return readUserFileHead(normalizeWindowsPath(p), length).catch(() => undefined);
  }
}
