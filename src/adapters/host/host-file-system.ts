/**
 * FileSystemPort over files of this machine's disk named by the user (`triage PATH...`): its
 * paths are host paths, reported as given, and mapped to the Windows paths they had on the
 * inspected system ({@link HostPathNaming}): inside `--image DIR` a path maps to `C:\` + its
 * relative part; `--as WINPATH` names the original path of a single copied file; otherwise a
 * well-known top-level folder (`Users`, `Program Files`, …) in the path is taken as the volume
 * root (origin `inferred`, {@link hostPathToWindowsPath}).
 *
 * Reading is safe as in image mode: every read goes through {@link readUserFile}, or
 * {@link openFoundFile} for the ranged reads of the side-loading search (regular files
 * only, never a FIFO, device or socket, at most the cap + 1 bytes; the listing's `lstat` is the
 * only one per neighbour: the open refuses a link itself and `fstat` judges what it opened). A file the user named is read
 * as the shell would open it (a link to a file is followed; a loop, a dangling link or a special
 * file is refused with its typed code), except that with `--image DIR` a path inside DIR whose
 * real location lies outside it is refused (`outside-root`). What the port finds by itself, the
 * files of a folder listed for the side-loading search, is never read through a symbolic link
 * (a link is listed, and counted by the search as not read), and with `--image DIR` never a
 * path whose real location lies outside DIR.
 *
 * Source: docs/exit-codes.md ("Inputs that are not files"); open(2), path_resolution(7).
 */
import { readdirSync } from "node:fs";
import { lstat, realpath } from "node:fs/promises";
import path from "node:path";
import { READ_LIMITS } from "../../limits.js";
import {
  hasVolumeFolders,
  hostPathToWindowsPath,
  normalizeWindowsPath,
  type WindowsPathOrigin,
} from "../../paths/windows-path.js";
import type {
  DirEntry,
  FileStat,
  FileSystemPort,
  HostPathNaming,
  OpenedFile,
} from "../../ports/file-system.js";
import { listHostFolder } from "../list-host-folder.js";
import { isInside, openedLocation } from "../opened-location.js";
import { InputFileError } from "../../util/input-file-error.js";
import type { ScratchBuffer } from "../../util/scratch-buffer.js";
import {
  closeFoundFile,
  openFoundFile,
  rangesOver,
  readUserFile,
  readUserFileHead,
} from "../../util/safe-file.js";

/** Options of {@link HostFileSystem}. */
export interface HostFileSystemOptions {
  /** Root of a mounted Windows volume (`--image DIR`): paths inside it map to `C:\…`. */
  imageRoot?: string;
  /** The original Windows path of the (single) file, when the analyst knows it (`--as`). */
  originalWindowsPath?: string;
}

/** A folder's entry names, or none when it cannot be listed. */
function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The port over host files; see the module comment. */
export class HostFileSystem implements FileSystemPort {
  readonly hostNaming: HostPathNaming;
  /** The image root, resolved (`--image DIR`), when given. */
  readonly imageRoot: string | undefined;
  readonly #originalWindowsPath: string | undefined;
  /** Whether a host folder looks like a Windows volume root, per folder (mapping is asked per file). */
  readonly #volumeRoots = new Map<string, boolean>();
  /** The real path of the image root, once asked. */
  #realRoot: Promise<string | undefined> | undefined;

  constructor(options: HostFileSystemOptions = {}) {
    this.imageRoot = options.imageRoot === undefined ? undefined : path.resolve(options.imageRoot);
    this.#originalWindowsPath = options.originalWindowsPath;
    this.hostNaming = {
      dirname: (p) => path.dirname(p),
      basename: (p) => path.basename(p),
      join: (folder, name) => path.join(folder, name),
      folderKey: (folder) => path.resolve(folder),
      evidenceName: (folder, name) => this.#evidenceName(folder, name),
      windowsPathOf: (p) => this.#windowsPathOf(p),
      inOriginalFolders: options.originalWindowsPath === undefined,
      readNamedFile: (p, maxBytes, into) => this.#readNamedFile(p, maxBytes, into),
    };
  }

  describe(): string {
    return this.imageRoot === undefined ? "files" : `files of image ${this.imageRoot}`;
  }

  /** The Windows path a host path had, by its place on disk (never by `--as`). */
  #mapped(hostPath: string): { windowsPath: string; origin: WindowsPathOrigin } | undefined {
    return hostPathToWindowsPath(hostPath, this.imageRoot, (dir) => {
      let known = this.#volumeRoots.get(dir);
      if (known === undefined) {
        known = hasVolumeFolders(namesIn(dir));
        this.#volumeRoots.set(dir, known);
      }
      return known;
    });
  }

  #windowsPathOf(hostPath: string): { windowsPath: string; origin: WindowsPathOrigin } | undefined {
    if (this.#originalWindowsPath !== undefined)
      return { windowsPath: normalizeWindowsPath(this.#originalWindowsPath), origin: "native" };
    return this.#mapped(hostPath);
  }

  #evidenceName(folder: string, name: string): string {
    // Mapped through a child path: the image root itself is a folder but no file path maps to it.
    const mapped = this.#mapped(path.join(folder, "x"));
    const windowsFolder = mapped && normalizeWindowsPath(`${mapped.windowsPath}\\..`);
    return windowsFolder ? normalizeWindowsPath(`${windowsFolder}\\${name}`) : path.join(folder, name);
  }

  /**
   * True for a path inside the image root (`--image DIR`) whose real location is not: a link
   * on the way that leads out of the image. Paths outside the root are plain host files.
   */
  async #escapesRoot(hostPath: string): Promise<boolean> {
    if (this.imageRoot === undefined || !isInside(this.imageRoot, path.resolve(hostPath))) return false;
    this.#realRoot ??= realpath(this.imageRoot).catch(() => undefined);
    const [root, real] = await Promise.all([this.#realRoot, realpath(hostPath).catch(() => undefined)]);
    return root === undefined || real === undefined || !isInside(root, real);
  }

  /**
   * The real location of a path inside the image root that lies outside it (a link on the way
   * leads out), or `undefined` when the path stays inside, is not under the root, or does not
   * resolve (a dangling link or a loop is then refused by the read with its own code).
   */
  async #outsideTarget(hostPath: string): Promise<string | undefined> {
    if (this.imageRoot === undefined || !isInside(this.imageRoot, path.resolve(hostPath))) return undefined;
    this.#realRoot ??= realpath(this.imageRoot).catch(() => undefined);
    const [root, real] = await Promise.all([this.#realRoot, realpath(hostPath).catch(() => undefined)]);
    return root !== undefined && real !== undefined && !isInside(root, real) ? real : undefined;
  }

  /**
   * A file the user named, read as the shell opens it, except that with `--image DIR` a path
   * inside DIR whose real location is outside it is refused unread: its bytes are the analyst's
   * disk, not the image's.
   * @throws InputFileError `outside-root` naming the path and its target; the codes of {@link readUserFile}.
   */
  async #readNamedFile(hostPath: string, maxBytes: number, into?: ScratchBuffer): Promise<Uint8Array> {
    const target = await this.#outsideTarget(hostPath);
    if (target !== undefined)
      throw new InputFileError(
        "outside-root",
        hostPath,
        `a symbolic link to ${target}, outside the image root ${this.imageRoot}; not read`,
        { kind: "symlink" },
      );
    return readUserFile(hostPath, { maxBytes, into });
  }

  /** What `hostPath` is, never following a link at its last component; links and special files are absent. */
  async stat(hostPath: string): Promise<FileStat | undefined> {
    const info = await lstat(hostPath).catch(() => undefined);
    if (!info || (await this.#escapesRoot(hostPath))) return undefined;
    if (info.isDirectory()) return { kind: "dir", size: 0, mtime: info.mtime };
    return info.isFile() ? { kind: "file", size: info.size, mtime: info.mtime } : undefined;
  }

  /**
   * Folders and regular files of `hostPath`, sorted by name; special files are left out. A
   * symbolic link is listed as a file of size 0 that the port never reads (`stat` and `readFile`
   * see nothing there), so the side-loading search counts it as not read instead of missing it.
   */
  async list(hostPath: string): Promise<DirEntry[] | undefined> {
    if (await this.#escapesRoot(hostPath)) return undefined;
    // Code-unit order: the order `triage -r` walks in (src/cli/input-files.ts).
    return listHostFolder(hostPath, (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * A regular file found by the port (not a link), at most `maxBytes`; `undefined` otherwise.
   * Files the user named are read through `hostNaming.readNamedFile`, which says why not.
   */
  async readFile(
    hostPath: string,
    maxBytes: number = READ_LIMITS.peFileBytes,
  ): Promise<Uint8Array | undefined> {
    const s = await this.stat(hostPath);
    if (s?.kind !== "file" || s.size > maxBytes) return undefined;
    return readUserFile(hostPath, { maxBytes }).catch(() => undefined);
  }

  /** A regular file found by the port (not a link), at most `maxBytes`, opened for reads by range; `undefined` otherwise. */
  async openFile(
    hostPath: string,
    maxBytes: number = READ_LIMITS.peFileBytes,
  ): Promise<OpenedFile | undefined> {
    // No lstat first (the listing that named the file already took one): the open itself
    // refuses a link at the last component (O_NOFOLLOW), fstat judges the kind and size of what
    // was opened, and the root check resolves the descriptor, so every check is on the file
    // actually read, with no window between a check and the open.
    let opened: { fd: number; size: number };
    try {
      opened = openFoundFile(hostPath, { maxBytes });
    } catch {
      return undefined;
    }
    if (await this.#openedOutsideRoot(hostPath, opened.fd)) {
      closeFoundFile(opened.fd);
      return undefined;
    }
    return rangesOver(opened.fd, opened.size);
  }

  /**
   * Whether the file open at `fd` (as `hostPath`, inside the image root) really lies outside the
   * root: its location is read from the descriptor (`/proc/self/fd`, Linux), so a folder on the
   * way swapped for a link after the open cannot fool it; where the platform has no such link,
   * from the path (`realpath`) as {@link stat} does.
   */
  async #openedOutsideRoot(hostPath: string, fd: number): Promise<boolean> {
    if (this.imageRoot === undefined || !isInside(this.imageRoot, path.resolve(hostPath))) return false;
    this.#realRoot ??= realpath(this.imageRoot).catch(() => undefined);
    const real = await openedLocation(fd, hostPath);
    const root = await this.#realRoot;
    return root === undefined || real === undefined || !isInside(root, real);
  }

  async readHead(hostPath: string, length: number): Promise<Uint8Array | undefined> {
    const s = await this.stat(hostPath);
    if (s?.kind !== "file") return undefined;
    return readUserFileHead(hostPath, length).catch(() => undefined);
  }

  /** The absolute host path, when the port sees a file or folder there. */
  async hostPath(hostPath: string): Promise<string | undefined> {
    return (await this.stat(hostPath)) ? path.resolve(hostPath) : undefined;
  }
}
