/**
 * Triage of files on this machine's disk (the `triage` verb): a host-files snapshot
 * (`openSource({ hostFiles: true })`, src/adapters/host/host-snapshot.ts) read by the one snapshot triage ({@link triageSnapshotFiles}).
 * Each record names the file by the path given, with the Windows path it had on the inspected
 * system; an unreadable path gets an `error` record with its typed code.
 */
import { openSource } from "../adapters/open-source.js";
import { HostFileSystem, type HostFileSystemOptions } from "../adapters/host/host-file-system.js";
import type { ConnectorKnowledge } from "../knowledge/index.js";
import type { SignatureVerifier, TriageRecord } from "../triage/index.js";
import { fileSystemFolderScans, type FolderScans } from "../triage/sibling-loaders.js";
import {
  streamSnapshotFiles,
  triageSnapshotFiles,
  type FileDigester,
} from "../triage/triage-snapshot-files.js";

/**
 * Host files triaged at once by default. One: measured on 808 files (docs/architecture.md
 * "Triage throughput"), 4 at once cost more CPU (6.2 s against 5.6 s) and 70 MB more peak RSS.
 */
export const HOST_CONCURRENCY = 1;

export interface HostTriageOptions extends HostFileSystemOptions {
  knowledge: ConnectorKnowledge;
  verifySignature: SignatureVerifier;
  /**
   * Files triaged at once (default {@link HOST_CONCURRENCY}: host files are read with
   * synchronous calls, src/util/safe-file.ts, so more at once overlap no I/O, only hold more
   * read buffers).
   */
  concurrency?: number;
  /**
   * The run's folder scans (side-loading search); by default one cache per call, so each folder
   * is scanned once however many of its files are triaged.
   */
  folderScans?: FolderScans;
  /** Called after each file, for progress. */
  onProgress?: (done: number, total: number) => void;
  /** Asked before each file: `true` stops the run there (see {@link streamHostFiles}). */
  stopped?: () => boolean;
  /** Computes files' sha256 on another thread (src/util/sha256-thread.ts); default: inline. */
  digester?: FileDigester;
}

/**
 * The folder scans of one host run: folders of this machine's disk, their files named by the
 * Windows paths they had when the folder maps to one.
 * @param cache - `false` rescans a folder for every file (the uncached path, for comparison).
 */
export function hostFolderScans(options: HostFileSystemOptions, cache = true): FolderScans {
  return fileSystemFolderScans(new HostFileSystem(options), { cache });
}

/**
 * Triage `files` (host paths), `concurrency` at a time, keeping input order in the result.
 * Never throws for a bad file: each problem becomes that file's `error` record.
 */
export async function triageHostFiles(files: string[], options: HostTriageOptions): Promise<TriageRecord[]> {
  const { snapshot } = await openSource({
    hostFiles: true,
    imageRoot: options.imageRoot,
    originalWindowsPath: options.originalWindowsPath,
  });
  const records = await triageSnapshotFiles(snapshot, files, {
    knowledge: options.knowledge,
    verifySignature: options.verifySignature,
    folderScans: options.folderScans,
    concurrency: options.concurrency ?? HOST_CONCURRENCY,
    onProgress: options.onProgress,
  });
  // A host path always gets a record (an error record when it cannot be read).
  return records.map((r) => r!);
}

/**
 * Triage `files` (host paths), handing each record to `onRecord` in input order as soon as it
 * and those before it are judged; memory stays flat however many files there are.
 * @returns how many records were handed over (fewer than `files.length` when `options.stopped`).
 */
export async function streamHostFiles(
  files: readonly string[],
  options: HostTriageOptions,
  onRecord: (record: TriageRecord, index: number) => void | Promise<void>,
): Promise<number> {
  const { snapshot } = await openSource({
    hostFiles: true,
    imageRoot: options.imageRoot,
    originalWindowsPath: options.originalWindowsPath,
  });
  return streamSnapshotFiles(
    snapshot,
    files,
    {
      knowledge: options.knowledge,
      verifySignature: options.verifySignature,
      folderScans: options.folderScans,
      concurrency: options.concurrency ?? HOST_CONCURRENCY,
      onProgress: options.onProgress,
      stopped: options.stopped,
      digester: options.digester,
    },
    // A host path always gets a record (an error record when it cannot be read).
    (record, i) => onRecord(record!, i),
  );
}
