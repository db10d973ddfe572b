/**
 * In-memory FileSystemPort for tests: a map of Windows paths to contents. Directories are
 * implied by the files under them (and may be declared empty). Case-insensitive like Windows.
 */
import { normalizeWindowsPath, windowsPathKey } from "../../paths/windows-path.js";
import type { DirEntry, FileStat, FileSystemPort } from "../../ports/file-system.js";

export class MemoryFileSystem implements FileSystemPort {
  readonly #files = new Map<string, { path: string; data: Uint8Array }>();
  readonly #dirs = new Map<string, string>();

  /** @param files - Windows path → content (string is UTF-8); a value of `null` declares an empty directory. */
  constructor(files: Record<string, Uint8Array | string | null> = {}) {
    for (const [p, data] of Object.entries(files)) {
      if (data === null) this.mkdir(p);
      else this.write(p, data);
    }
  }

  mkdir(p: string): void {
    let cur = normalizeWindowsPath(p);
    while (!this.#dirs.has(windowsPathKey(cur))) {
      this.#dirs.set(windowsPathKey(cur), cur);
      const parent = normalizeWindowsPath(`${cur}\\..`);
      if (parent === cur) break;
      cur = parent;
    }
  }

  write(p: string, data: Uint8Array | string): void {
    const norm = normalizeWindowsPath(p);
    this.#files.set(windowsPathKey(norm), {
      path: norm,
      data: typeof data === "string" ? new TextEncoder().encode(data) : data,
    });
    this.mkdir(`${norm}\\..`);
  }

  describe(): string {
    return "memory";
  }

  async stat(p: string): Promise<FileStat | undefined> {
    const key = windowsPathKey(p);
    const f = this.#files.get(key);
    if (f) return { kind: "file", size: f.data.length };
    return this.#dirs.has(key) ? { kind: "dir", size: 0 } : undefined;
  }

  async list(p: string): Promise<DirEntry[] | undefined> {
    const key = windowsPathKey(p).replace(/\\$/, "");
    if (!this.#dirs.has(windowsPathKey(p))) return undefined;
    const out = new Map<string, DirEntry>();
    const childOf = (k: string) => k.startsWith(`${key}\\`) && !k.slice(key.length + 1).includes("\\");
    for (const [k, f] of this.#files)
      if (childOf(k))
        out.set(k, { name: f.path.slice(f.path.lastIndexOf("\\") + 1), kind: "file", size: f.data.length });
    for (const [k, d] of this.#dirs)
      if (childOf(k)) out.set(k, { name: d.slice(d.lastIndexOf("\\") + 1), kind: "dir", size: 0 });
    return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async readFile(p: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Uint8Array | undefined> {
    const f = this.#files.get(windowsPathKey(p));
    return f && f.data.length <= maxBytes ? f.data : undefined;
  }

  async readHead(p: string, length: number): Promise<Uint8Array | undefined> {
    return this.#files.get(windowsPathKey(p))?.data.subarray(0, length);
  }
}
