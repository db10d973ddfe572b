/**
 * FileSystemPort over the running Windows machine's own disks: Windows paths are host paths.
 * Symbolic links and junctions are reported as absent rather than followed, as in image mode.
 */
import { realpath } from "node:fs";
import { lstat, open, readdir } from "node:fs/promises";
import { promisify } from "node:util";

const realpathNative = promisify(realpath.native);
import { joinWindowsPath, normalizeWindowsPath } from "../../paths/windows-path.js";
import type { DirEntry, FileStat, FileSystemPort } from "../../ports/file-system.js";

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

  async readFile(p: string, maxBytes = 256 * 1024 * 1024): Promise<Uint8Array | undefined> {
    const s = await this.stat(p);
    if (s?.kind !== "file" || s.size > maxBytes) return undefined;
    return this.readHead(p, s.size);
  }

  async readHead(p: string, length: number): Promise<Uint8Array | undefined> {
    const h = await open(normalizeWindowsPath(p), "r").catch(() => undefined);
    if (!h) return undefined;
    try {
      const buf = Buffer.alloc(Math.min(length, (await h.stat()).size));
      let filled = 0;
      while (filled < buf.length) {
        const { bytesRead } = await h.read(buf, filled, buf.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buf.subarray(0, filled);
    } finally {
      await h.close();
    }
  }
}
