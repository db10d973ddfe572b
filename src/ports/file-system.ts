/**
 * The file-system port: read-only access to a Windows machine's files, addressed by Windows
 * paths (`C:\Program Files (x86)\Kerio\...`), whatever the source: a mounted image (`--image`),
 * a diagnostics bundle, the live machine, or an in-memory fake in tests.
 *
 * Implementations resolve paths case-insensitively, as Windows does, and never follow a path
 * out of their root (an image adapter must not escape the image directory).
 */
import type { WindowsPathOrigin } from "../paths/windows-path.js";
import type { TriageRecord } from "../triage/record.js";
import type { ScratchBuffer } from "../util/scratch-buffer.js";

/** What a path is. */
export interface FileStat {
  kind: "file" | "dir";
  /** Size in bytes (0 for directories). */
  size: number;
  /** Last modification time, when known. */
  mtime?: Date;
}

export interface DirEntry extends FileStat {
  /** Entry name as stored (original case). */
  name: string;
}

/**
 * Bundle mode: what a redacted bundle carries instead of the bytes of a PE file that holds a
 * redacted value (docs/bundle.md "Redaction"): hashes, size, imported DLL names and the triage
 * record computed on the real bytes when the bundle was collected.
 */
export interface CarriedPeFacts {
  /** Windows path (redacted). */
  path: string;
  /** Bytes. */
  size: number;
  sha256: string;
  /** Authenticode sha256 digest (lower-case hex), when the file has a PE layout. */
  authentihash?: string;
  /** Names of the DLLs it imports, as stored. */
  imports: string[];
  triage: TriageRecord;
}

/**
 * Host-files mode (`triage PATH...`): how a port addressed by paths of *this* machine's disk,
 * rather than by Windows paths, splits its paths and maps them to the Windows paths they had
 * (src/adapters/host/host-file-system.ts).
 */
export interface HostPathNaming {
  /** Parent folder of a host path. */
  dirname(path: string): string;
  /** Last component of a host path. */
  basename(path: string): string;
  /** The host path of file `name` in `folder`. */
  join(folder: string, name: string): string;
  /** The key two spellings of one folder share. */
  folderKey(folder: string): string;
  /** How evidence names file `name` of `folder`: its Windows path when the folder maps to one. */
  evidenceName(folder: string, name: string): string;
  /** The Windows path `path` had on the inspected system and how it was told; `undefined` when it cannot be told. */
  windowsPathOf(path: string): { windowsPath: string; origin: WindowsPathOrigin } | undefined;
  /** False when the files were copied out of their folder (`--as`): their neighbours are not the original ones. */
  inOriginalFolders: boolean;
  /**
   * The bytes of a file the user named (links followed, as the shell would), at most `maxBytes`.
   * @param into - read into this buffer: the bytes are then a view of it, valid until the next
   *   read into it (src/util/scratch-buffer.ts).
   * @throws InputFileError (src/util/input-file-error.ts) saying why it cannot be read.
   */
  readNamedFile(path: string, maxBytes: number, into?: ScratchBuffer): Promise<Uint8Array>;
}

/** A regular file opened for reads by range ({@link FileSystemPort.openFile}). */
export interface OpenedFile {
  /** Its size in bytes when it was opened. */
  readonly size: number;
  /**
   * `length` bytes at `offset` (inside `size`), or `undefined` when they cannot be read (an I/O
   * error, or the file is now shorter).
   */
  read(offset: number, length: number): Promise<Uint8Array | undefined>;
  /** Releases the file; call it once, when done. */
  close(): Promise<void>;
}

export interface FileSystemPort {
  /** Metadata for `path`, or `undefined` when it does not exist. */
  stat(path: string): Promise<FileStat | undefined>;
  /** Directory entries of `path`, or `undefined` when it is not a directory. */
  list(path: string): Promise<DirEntry[] | undefined>;
  /**
   * The whole content of the file at `path`, or `undefined` when it does not exist.
   * @param maxBytes - refuse (return `undefined` and never read) files larger than this; default
   *   `READ_LIMITS.peFileBytes` (256 MiB, src/limits.ts). Implementations never read more than
   *   `maxBytes` + 1 bytes and never open a FIFO or device.
   */
  readFile(path: string, maxBytes?: number): Promise<Uint8Array | undefined>;
  /**
   * The first `length` bytes of the file (fewer when it is shorter), or `undefined` when it does
   * not exist. Lets callers judge headers of large files (cache databases) without reading them.
   */
  readHead(path: string, length: number): Promise<Uint8Array | undefined>;
  /**
   * The file at `path` opened for reads by range, where `readFile` would read it whole (same
   * refusals: never a FIFO, device or socket, never through a link out of the root), or
   * `undefined` when `readFile` would answer `undefined`, also for a file over `maxBytes`
   * (default `READ_LIMITS.peFileBytes`). Optional: without it, callers read the whole file.
   * Lets the side-loading search read a module's import tables, not its every byte.
   */
  openFile?(path: string, maxBytes?: number): Promise<OpenedFile | undefined>;
  /**
   * Where the file lives on *this* machine's disk, when it is a real file (image and live modes),
   * so callers can hash it in place. `undefined` for bundles and fakes.
   */
  hostPath?(path: string): Promise<string | undefined>;
  /**
   * Bundle mode only: the facts carried for a PE file whose bytes redaction withheld
   * (`readFile` answers `undefined` for it); `undefined` for every other path and mode.
   */
  carriedPeFacts?(path: string): Promise<CarriedPeFacts | undefined>;
  /**
   * Host-files mode only: set when this port's paths are host paths, not Windows paths;
   * `undefined` for every port addressed by Windows paths (image, live, bundle, fakes).
   */
  hostNaming?: HostPathNaming;
  /** Human-readable source, for evidence: `"image /mnt/c"`, `"live"`, `"bundle x.zip"`. */
  describe(): string;
}

/**
 * Bundle mode's replaying file system: a {@link FileSystemPort} that also lists what the bundle
 * carries, for `triage --bundle` (every carried PE, not only those `check` reads).
 */
export interface BundleFileSystemPort extends FileSystemPort {
  /** Paths whose content the bundle lists as not carried (over a cap), with the reason. */
  omitted(): Array<{ path: string; reason: string }>;
  /** Every carried whole file: Windows path, bundle member, size in bytes. */
  carriedFiles(): Array<{ path: string; member: string; size: number }>;
  /** Every file whose bytes redaction withheld: Windows path, size in bytes. */
  withheldFiles(): Array<{ path: string; size: number }>;
  carriedPeFacts(path: string): Promise<CarriedPeFacts | undefined>;
}
