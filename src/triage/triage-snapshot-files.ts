/**
 * Triage of a snapshot's files: the one way `check`, `triage PATH...` and `triage --bundle`
 * triage a PE file. Each file is read through the snapshot's {@link FileSystemPort}, at most
 * {@link READ_LIMITS}.peFileBytes (a redacted bundle's withheld PE is judged by the triage record
 * carried for it instead); its folder is searched once per run for modules that would load it
 * ({@link FolderScans}, src/triage/sibling-loaders.ts); then the pure {@link triageFile} core
 * judges it with the load positions collection found (MAPISVC.INF, profiles, processes).
 *
 * Ports addressed by Windows paths (image, live, bundle) report each file by that path; a port
 * addressed by host paths (`triage PATH...`, {@link FileSystemPort.hostNaming}) reports the host
 * path as given, with the Windows path it maps to, and a file it cannot read as an `error`
 * record with the typed reason (docs/exit-codes.md "Inputs that are not files").
 *
 * Source: Microsoft, "Dynamic-link library search order"
 * (https://learn.microsoft.com/windows/win32/dlls/dynamic-link-library-search-order).
 */
import { READ_LIMITS } from "../limits.js";
import {
  normalizeWindowsPath,
  windowsBasename,
  windowsDirname,
  type WindowsPathOrigin,
} from "../paths/windows-path.js";
import type { FileSystemPort } from "../ports/file-system.js";
import type { Snapshot } from "../ports/snapshot.js";
import { InputFileError } from "../util/input-file-error.js";
import { ScratchBuffer } from "../util/scratch-buffer.js";
import type { WatchedNames } from "./dynamic-imports.js";
import { fileSystemFolderScans, type FolderScans } from "./sibling-loaders.js";
import type { LoadingProcess, LoadPosition } from "./subject.js";
import { triageFile, type TriageOptions, type TriageRecord } from "./triage-file.js";

/** What collection knows about one file before it is triaged. */
export interface FileLoadContext {
  /** Places that would make Windows load it: MAPISVC.INF, profiles, processes (not its folder: that is searched here). */
  loadPositions: LoadPosition[];
  /** Live mode: processes that have it loaded; `undefined` when that cannot be told. */
  loadingProcesses?: LoadingProcess[];
}

/** Options of {@link triageSnapshotFiles}. */
export interface SnapshotTriageOptions extends TriageOptions {
  /** The run's folder scans (default: one new cache over the snapshot's file system per call). */
  folderScans?: FolderScans;
  /** What collection found about each file (default: nothing beyond its folder). */
  contextOf?: (path: string) => FileLoadContext | undefined;
  /** Kerio Connect server host name(s) (`--server`), to tell its connections from others. */
  kerioServers?: string[];
  /**
   * How the Windows paths of a Windows-path port were obtained (default: `native` for a live
   * snapshot, `image` otherwise). Ignored for host paths, whose mapping says.
   */
  windowsPathOrigin?: WindowsPathOrigin;
  /** Files triaged at once (default 1: files are read in the order given). */
  concurrency?: number;
  /** Called after each file, for progress. */
  onProgress?: (done: number, total: number) => void;
  /** Computes files' sha256 on another thread (src/util/sha256-thread.ts); default: inline. */
  digester?: FileDigester;
}

/** Work another thread does on a file's bytes while this one judges it (src/app/digest-thread.ts). */
export interface PendingFileWork {
  /** The search for watched API names, when the other thread made one; before {@link sha256}. */
  watchedNames(): WatchedNames | undefined;
  /** The file's sha256 (lower-case hex), once, when the record is made. */
  sha256(): string;
}

/** A hasher beside the main thread: see src/app/digest-thread.ts, which is one. */
export interface FileDigester {
  /**
   * Read buffers whose bytes {@link FileDigester.begin} can take: a run reads its files into
   * them in turn, so the next file is read while the one before is still being hashed (at least
   * two, or the file before is waited out).
   */
  readonly scratches: readonly ScratchBuffer[];
  /**
   * Starts the work on `bytes`, which must stay unchanged until the digest is taken.
   * @returns what takes its results back; `undefined`: all of it is done inline.
   */
  begin(bytes: Uint8Array): PendingFileWork | undefined;
}

/** The `error` record of a host file that could not be read (key order is the JSON contract). */
function refusalRecord(path: string, windowsPath: string | undefined, e: unknown): TriageRecord {
  const known = e instanceof InputFileError;
  return {
    path,
    windowsPath,
    indicators: [],
    sha256: "",
    size: known && e.code === "too-large" ? (e.actual ?? 0) : 0,
    verdict: "error",
    error: known
      ? { code: e.code, message: e.reason }
      : { code: "unreadable", message: (e as Error).message },
  };
}

/**
 * Triage of one file whose bytes are in hand: its folder searched for modules that would load
 * it (unless the port says its files are not in their original folders), then judged.
 * `collect --redact` calls it for the PE files it withholds, through `triageCarriedFile`.
 * @param path - a path of `fs` (a Windows path, or a host path when `fs.hostNaming` is set).
 * @param pending - the work another thread does on `bytes` (FileDigester.begin), if any.
 */
export async function triagePortFile(
  fs: FileSystemPort,
  path: string,
  bytes: Uint8Array,
  options: SnapshotTriageOptions,
  folderScans: FolderScans = options.folderScans ?? fileSystemFolderScans(fs),
  pending?: PendingFileWork,
): Promise<TriageRecord> {
  const naming = fs.hostNaming;
  const mapped = naming
    ? naming.windowsPathOf(path)
    : { windowsPath: path, origin: options.windowsPathOrigin ?? "image" };
  const fileName = naming ? naming.basename(path) : windowsBasename(path);
  const context = options.contextOf?.(path);
  // With --as the file was copied out of its folder: its original neighbours are not here.
  const sideLoading =
    naming && !naming.inOriginalFolders
      ? undefined
      : await folderScans.sideLoadersOf(
          naming ? naming.dirname(path) : windowsDirname(path),
          fileName,
          naming && mapped ? normalizeWindowsPath(`${mapped.windowsPath}\\..`) : undefined,
        );
  return triageFile(
    {
      path,
      fileName,
      bytes,
      windowsPath: mapped?.windowsPath,
      windowsPathOrigin: mapped?.origin,
      loadPositions: [...(context?.loadPositions ?? []), ...(sideLoading?.positions ?? [])],
      siblingSearch: sideLoading?.search,
      loadingProcesses: context?.loadingProcesses,
      kerioServers: options.kerioServers,
      sha256: pending?.sha256,
      watchedNames: pending?.watchedNames,
    },
    { knowledge: options.knowledge, verifySignature: options.verifySignature },
  );
}

/**
 * A record made while its file's sha256 was still being computed elsewhere: set by
 * {@link settle}. A class, so that it is told from a record by `instanceof`, never by its keys:
 * a record carried in a bundle is the bundle's JSON, and may have any key.
 */
class Unsettled {
  constructor(
    readonly record: TriageRecord,
    readonly sha256: () => string,
  ) {}
}

/** The record with its sha256 in place. */
function settle({ record, sha256 }: Unsettled): TriageRecord {
  record.sha256 = sha256();
  return record;
}

/**
 * Reads and triages one file; `undefined` when a Windows-path port has neither its bytes nor
 * carried facts. A file the digester takes gets its record unsettled (sha256 to be set by
 * {@link settle}), so that its digest is taken only once the next file is read.
 * @param scratch - a host file is read into it: the record keeps no view of its bytes.
 * @param onRead - called once the file is read (and handed to the digester), before it is judged.
 */
async function triageOne(
  fs: FileSystemPort,
  path: string,
  options: SnapshotTriageOptions,
  folderScans: FolderScans,
  scratch: ScratchBuffer,
  onRead: () => void = () => undefined,
): Promise<TriageRecord | Unsettled | undefined> {
  let bytes: Uint8Array | undefined;
  if (fs.hostNaming) {
    try {
      bytes = await fs.hostNaming.readNamedFile(path, READ_LIMITS.peFileBytes, scratch);
    } catch (e) {
      return refusalRecord(path, fs.hostNaming.windowsPathOf(path)?.windowsPath, e);
    }
  } else {
    bytes = await fs.readFile(path, READ_LIMITS.peFileBytes);
  }
  // A redacted bundle withholds a PE holding a redacted value and carries its triage record.
  if (!bytes) return (await fs.carriedPeFacts?.(path))?.triage;
  // Searched and hashed beside the parse when a digester takes them (read into its buffers).
  const pending = options.digester?.begin(bytes);
  onRead();
  if (pending === undefined) return triagePortFile(fs, path, bytes, options, folderScans);
  // The record is made with the digest left out; settle() puts it in.
  const record = await triagePortFile(fs, path, bytes, options, folderScans, {
    watchedNames: pending.watchedNames,
    sha256: () => "",
  });
  return new Unsettled(record, pending.sha256);
}

/** Options of {@link streamSnapshotFiles}: those of {@link triageSnapshotFiles}, and when to stop. */
export interface SnapshotStreamOptions extends SnapshotTriageOptions {
  /**
   * Asked before each file is started: `true` stops the run there (Ctrl-C, a closed output).
   * Files already started are finished and handed over; the rest are never read.
   */
  stopped?: () => boolean;
}

/**
 * Triage of `paths` (paths of `snapshot.fs`) handed to `onRecord` one by one, in the order
 * given, as soon as each and those before it are judged: at most `concurrency` records are ever
 * held, so memory does not grow with the number of files. `onRecord` gets `undefined` where a
 * Windows-path port has neither the file nor facts carried for it; host paths always get a
 * record (an `error` record when unreadable). One folder scan per folder for the call (or the
 * run, with `options.folderScans`).
 * @returns how many paths were handed over (fewer than `paths.length` when `stopped`).
 * Never throws for a bad file; port failures and `onRecord` failures propagate.
 */
export async function streamSnapshotFiles(
  snapshot: Snapshot,
  paths: readonly string[],
  options: SnapshotStreamOptions,
  onRecord: (record: TriageRecord | undefined, index: number) => void | Promise<void>,
): Promise<number> {
  const fs = snapshot.fs;
  const folderScans = options.folderScans ?? fileSystemFolderScans(fs);
  const withOrigin: SnapshotTriageOptions = {
    ...options,
    windowsPathOrigin: options.windowsPathOrigin ?? (snapshot.mode === "live" ? "native" : "image"),
  };
  // Records judged but not yet handed over (a later file finished before an earlier one).
  const ready = new Map<number, TriageRecord | undefined>();
  const n = Math.max(1, Math.min(options.concurrency ?? 1, paths.length));
  // A slow file holds back at most this many judged records behind it.
  const window = 4 * n;
  let next = 0;
  let done = 0;
  let handed = 0;
  let advanced: Array<() => void> = [];
  let flushing: Promise<void> = Promise.resolve();
  const flush = async () => {
    while (ready.has(handed)) {
      const record = ready.get(handed);
      ready.delete(handed);
      await onRecord(record, handed++);
    }
    for (const wake of advanced) wake();
    advanced = [];
  };
  // The digester's buffers go to the first worker, used in turn: a file's bytes must stay put
  // until its digest is in, which is taken once the worker has read its next file.
  let digesterScratches = options.digester?.scratches;
  const claimDigesterScratches = () => {
    const scratches = digesterScratches;
    digesterScratches = undefined;
    return scratches;
  };
  const worker = async () => {
    // Read buffers reused file after file: a file's bytes are done with once its record is
    // settled (records hold strings and numbers, never views of the bytes).
    const scratches = claimDigesterScratches() ?? [new ScratchBuffer()];
    // The record of the worker's last file, waiting for its digest.
    let held: { index: number; unsettled: Unsettled } | undefined;
    const release = () => {
      if (held === undefined) return;
      ready.set(held.index, settle(held.unsettled));
      held = undefined;
    };
    let turn = 0;
    while (next < paths.length && !options.stopped?.()) {
      // Terminates: the worker holding record `handed` is never made to wait here (a record held
      // for its digest may be that one: it is settled and handed over first).
      while (next - handed >= window) {
        if (held === undefined) await new Promise<void>((r) => advanced.push(r));
        else {
          release();
          flushing = flushing.then(flush);
          await flushing;
        }
      }
      if (next >= paths.length || options.stopped?.()) break;
      const i = next++;
      const scratch = scratches[turn++ % scratches.length]!;
      // The file before is settled once this one is read (or could not be): its bytes are in
      // the other buffer, hashed meanwhile.
      const made = await triageOne(fs, paths[i]!, withOrigin, folderScans, scratch, release);
      release();
      if (made instanceof Unsettled) held = { index: i, unsettled: made };
      else ready.set(i, made);
      options.onProgress?.(++done, paths.length);
      // One flush at a time, so records leave in order.
      flushing = flushing.then(flush);
      await flushing;
      // A turn of the event loop between files: the host port reads synchronously, so without it
      // a run could be one chain of promise jobs, and Ctrl-C or a closed stdout would only be
      // seen (by `stopped`) at its end.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    release();
    flushing = flushing.then(flush);
    await flushing;
  };
  await Promise.all(Array.from({ length: n }, worker));
  await flushing;
  return handed;
}

/**
 * Triage records of `paths` (paths of `snapshot.fs`), in the order given: one per path,
 * `undefined` where a Windows-path port has neither the file nor facts carried for it. Host
 * paths always get a record (an `error` record when unreadable). One folder scan per folder for
 * the whole call (or the run, with `options.folderScans`). Holds every record: a long run
 * streams them with {@link streamSnapshotFiles} instead.
 * Never throws for a bad file; port failures propagate.
 */
export async function triageSnapshotFiles(
  snapshot: Snapshot,
  paths: readonly string[],
  options: SnapshotTriageOptions,
): Promise<Array<TriageRecord | undefined>> {
  const results = new Array<TriageRecord | undefined>(paths.length);
  await streamSnapshotFiles(snapshot, paths, options, (record, i) => {
    results[i] = record;
  });
  return results;
}
