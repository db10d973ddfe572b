/**
 * FileSystemPort over a mounted or copied Windows system volume (`--image DIR`): `C:\X\Y` maps to
 * `DIR/X/Y`, each component matched case-insensitively as Windows does. Paths on other drives
 * do not exist. Symbolic links inside the image are never followed, so nothing outside DIR is
 * ever read (a listing names them, as files never read); `..` is resolved on the Windows path
 * before mapping, so it cannot climb out either.
 *
 * Source: Microsoft "Naming Files, Paths, and Namespaces" (names are case-insensitive;
 * https://learn.microsoft.com/en-us/windows/win32/fileio/naming-a-file).
 */
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { normalizeWindowsPath } from "../../paths/windows-path.js";
import type { DirEntry, FileStat, FileSystemPort, OpenedFile } from "../../ports/file-system.js";
import { READ_LIMITS } from "../../limits.js";
import { listHostFolder } from "../list-host-folder.js";
import { openUserFileRanges, readUserFile, readUserFileHead } from "../../util/safe-file.js";

const DEFAULT_MAX_READ = READ_LIMITS.peFileBytes;

export class ImageFileSystem implements FileSystemPort {
  readonly root: string;
  readonly drive: string;
  /**
   * Per host directory, read once: lower-cased name → real name, `null` for an entry that is a
   * symbolic link (never followed); `null` for a directory that cannot be listed.
   */
  readonly #listings = new Map<string, Map<string, string | null> | null>();

  /**
   * @param root - host directory holding the volume's top level (`Windows/`, `Users/`, …).
   * @param drive - the drive letter the volume had, `"C:"` by default.
   */
  constructor(root: string, drive = "C:") {
    this.root = path.resolve(root);
    this.drive = drive.toUpperCase();
  }

  describe(): string {
    return `image ${this.root}`;
  }

  /**
   * The listing of `hostDir`, read once per port. Each entry's type comes with the listing
   * (readdir's `d_type`, or an `lstat` Node makes where the file system gives none), so resolving
   * a path costs no system call per component once its folders are listed.
   */
  async #names(hostDir: string): Promise<Map<string, string | null> | null> {
    let names = this.#listings.get(hostDir);
    if (names === undefined) {
      const entries = await readdir(hostDir, { withFileTypes: true }).catch(() => null);
      names =
        entries && new Map(entries.map((e) => [e.name.toLowerCase(), e.isSymbolicLink() ? null : e.name]));
      this.#listings.set(hostDir, names);
    }
    return names;
  }

  /**
   * The host path of a Windows path, or `undefined` when it does not exist in the image or one of
   * its components is a symbolic link.
   */
  async hostPath(windowsPath: string): Promise<string | undefined> {
    const norm = normalizeWindowsPath(windowsPath);
    const parts = norm.split("\\");
    if (parts[0]?.toUpperCase() !== this.drive) return undefined;
    let host = this.root;
    for (const part of parts.slice(1)) {
      if (part === "") continue;
      const names = await this.#names(host);
      const real = names?.get(part.toLowerCase());
      if (real === undefined || real === null) return undefined;
      host = path.join(host, real);
    }
    return host;
  }

  async stat(windowsPath: string): Promise<FileStat | undefined> {
    const host = await this.hostPath(windowsPath);
    if (host === undefined) return undefined;
    const info = await lstat(host).catch(() => undefined);
    if (!info) return undefined;
    if (info.isDirectory()) return { kind: "dir", size: 0, mtime: info.mtime };
    if (info.isFile()) return { kind: "file", size: info.size, mtime: info.mtime };
    return undefined;
  }

  /**
   * Folders and regular files of a folder. A symbolic link is listed as a file of size 0 that
   * the port never reads (`stat` and `readFile` see nothing there), so a search over the folder
   * (side-loading) counts it as not read instead of missing it; FIFOs, devices and sockets are
   * left out.
   */
  async list(windowsPath: string): Promise<DirEntry[] | undefined> {
    const host = await this.hostPath(windowsPath);
    if (host === undefined) return undefined;
    return listHostFolder(host, (a, b) => a.localeCompare(b));
  }

  /**
   * Reads through {@link readUserFile}: a FIFO, device or socket in the image is never opened
   * (it reads as absent), and at most `maxBytes` + 1 bytes are read.
   */
  async readFile(windowsPath: string, maxBytes = DEFAULT_MAX_READ): Promise<Uint8Array | undefined> {
    const host = await this.hostPath(windowsPath);
    if (host === undefined) return undefined;
    return readUserFile(host, { maxBytes }).catch(() => undefined);
  }

  /**
   * Opens for reads by range what {@link readFile} would read whole, through
   * {@link openUserFileRanges} (the same refusals); `undefined` where `readFile` answers `undefined`.
   */
  async openFile(windowsPath: string, maxBytes = DEFAULT_MAX_READ): Promise<OpenedFile | undefined> {
    const host = await this.hostPath(windowsPath);
    if (host === undefined) return undefined;
    return openUserFileRanges(host, { maxBytes }).catch(() => undefined);
  }

  async readHead(windowsPath: string, length: number): Promise<Uint8Array | undefined> {
    const host = await this.hostPath(windowsPath);
    if (host === undefined) return undefined;
    return readUserFileHead(host, length).catch(() => undefined);
  }
}
