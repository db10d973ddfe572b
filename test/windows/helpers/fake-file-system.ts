/**
 * A tiny in-memory FileSystemPort for the Windows-state tests: files given by Windows path;
 * parent directories implied; lookups case-insensitive.
 */
import type { DirEntry, FileStat, FileSystemPort } from "../../../src/ports/file-system.js";

export class FakeFileSystem implements FileSystemPort {
  readonly #files = new Map<string, { name: string; data: Uint8Array }>();
  readonly #dirs = new Map<string, Map<string, DirEntry>>();

  constructor(files: Record<string, Uint8Array | string>) {
    for (const [path, content] of Object.entries(files)) {
      const data = typeof content === "string" ? new Uint8Array(Buffer.from(content, "latin1")) : content;
      const parts = path.split("\\");
      this.#files.set(path.toLowerCase(), { name: parts[parts.length - 1]!, data });
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join("\\").toLowerCase();
        const child = parts[i]!;
        const entries = this.#dirs.get(dir) ?? new Map<string, DirEntry>();
        const isFile = i === parts.length - 1;
        entries.set(child.toLowerCase(), {
          name: child,
          kind: isFile ? "file" : "dir",
          size: isFile ? data.length : 0,
        });
        this.#dirs.set(dir, entries);
      }
    }
  }

  async stat(path: string): Promise<FileStat | undefined> {
    const f = this.#files.get(path.toLowerCase());
    if (f) return { kind: "file", size: f.data.length };
    return this.#dirs.has(path.toLowerCase()) ? { kind: "dir", size: 0 } : undefined;
  }

  async list(path: string): Promise<DirEntry[] | undefined> {
    const d = this.#dirs.get(path.toLowerCase());
    return d === undefined ? undefined : [...d.values()];
  }

  async readFile(path: string, maxBytes = 256 * 1024 * 1024): Promise<Uint8Array | undefined> {
    const f = this.#files.get(path.toLowerCase());
    if (f === undefined || f.data.length > maxBytes) return undefined;
    return f.data;
  }

  async readHead(path: string, length: number): Promise<Uint8Array | undefined> {
    return this.#files.get(path.toLowerCase())?.data.subarray(0, length);
  }

  describe(): string {
    return "fake file system";
  }
}
