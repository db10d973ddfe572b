/**
 * Triage of files on this machine's disk (the `triage` verb): reads each file through
 * {@link readUserFile} (regular files only, never a FIFO or device, at most
 * {@link READ_LIMITS}.peFileBytes),
 * maps its path to the Windows path it had on the inspected system, finds sibling EXEs that
 * would load it (side-loading), and runs the pure {@link triageFile} core.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { ConnectorKnowledge } from "../knowledge/index.js";
import { readdirSync } from "node:fs";
import {
  hasVolumeFolders,
  hostPathToWindowsPath,
  normalizeWindowsPath,
  type WindowsPathOrigin,
} from "../paths/windows-path.js";

const safeReaddir = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};
import { triageFile, type SignatureVerifier, type TriageRecord } from "../triage/index.js";
import { FolderScans, type FolderFile, type SideLoading } from "../triage/sibling-loaders.js";
import { READ_LIMITS } from "../limits.js";
import { InputFileError } from "../util/input-file-error.js";
import { readUserFile } from "../util/safe-file.js";

/** Largest file triage reads, in bytes. Larger inputs get verdict `error` with code `too-large`. */
export const MAX_TRIAGE_BYTES = READ_LIMITS.peFileBytes;

export interface HostTriageOptions {
  knowledge: ConnectorKnowledge;
  verifySignature: SignatureVerifier;
  /** Root of a mounted Windows volume; paths inside it map to `C:\…`. */
  imageRoot?: string;
  /** The original Windows path of the (single) file, when the analyst knows it (`--as`). */
  originalWindowsPath?: string;
  /** Files triaged at once. */
  concurrency?: number;
  /**
   * The run's folder scans (side-loading search); by default one cache per call, so each folder
   * is scanned once however many of its files are triaged.
   */
  folderScans?: FolderScans;
  /** Called after each file, for progress. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Lists a folder of this machine's disk for the side-loading search. Files are named by their
 * Windows path when the folder has one (`windowsDirOf`), else by their host path.
 */
function hostFolderLister(windowsDirOf: (dir: string) => string | undefined) {
  return async (dir: string): Promise<FolderFile[] | undefined> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
    if (!entries) return undefined;
    const windowsDir = windowsDirOf(dir);
    return entries
      .filter((e) => e.isFile())
      .map((e) => {
        const full = path.join(dir, e.name);
        return {
          name: e.name,
          where: windowsDir ? normalizeWindowsPath(`${windowsDir}\\${e.name}`) : full,
          // The safe reader refuses a FIFO, device or link loop swapped in after the listing.
          read: (maxBytes: number) =>
            readUserFile(full, { maxBytes }).catch((e: unknown) =>
              e instanceof InputFileError && e.code === "too-large" ? ("too-large" as const) : undefined,
            ),
        };
      });
  };
}

/** The Windows path `hostPath` had on the inspected system, if it can be told. */
function windowsPathOf(hostPath: string, options: Pick<HostTriageOptions, "imageRoot">) {
  return hostPathToWindowsPath(hostPath, options.imageRoot, (dir) => hasVolumeFolders(safeReaddir(dir)));
}

/**
 * The folder scans of one host run: folders of this machine's disk, their files named by the
 * Windows paths they had when the folder maps to one.
 * @param cache - `false` rescans a folder for every file (the uncached path, for comparison).
 */
export function hostFolderScans(
  options: Pick<HostTriageOptions, "imageRoot" | "originalWindowsPath">,
  cache = true,
): FolderScans {
  const lister = hostFolderLister((dir) => {
    // Mapped through a child path: the image root itself is a folder but no file path maps to it.
    const mapped = windowsPathOf(path.join(dir, "x"), options);
    return mapped && normalizeWindowsPath(`${mapped.windowsPath}\\..`);
  });
  return new FolderScans(lister, { cache });
}

async function triageOne(
  file: string,
  options: HostTriageOptions,
  folders: FolderScans,
): Promise<TriageRecord> {
  const mapped = options.originalWindowsPath
    ? {
        windowsPath: normalizeWindowsPath(options.originalWindowsPath),
        origin: "native" as WindowsPathOrigin,
      }
    : windowsPathOf(file, options);
  const base = { path: file, windowsPath: mapped?.windowsPath, indicators: [] };
  let bytes: Uint8Array;
  try {
    bytes = await readUserFile(file, { maxBytes: MAX_TRIAGE_BYTES });
  } catch (e) {
    const known = e instanceof InputFileError;
    return {
      ...base,
      sha256: "",
      size: known && e.code === "too-large" ? (e.actual ?? 0) : 0,
      verdict: "error",
      error: known
        ? { code: e.code, message: e.reason }
        : { code: "unreadable", message: (e as Error).message },
    };
  }
  const windowsDir = mapped && normalizeWindowsPath(`${mapped.windowsPath}\\..`);
  // With --as the file was copied out of its folder: its original neighbours are not here.
  const sideLoading: SideLoading | undefined = options.originalWindowsPath
    ? undefined
    : await folders.sideLoadersOf(path.dirname(file), path.basename(file), windowsDir);
  return triageFile(
    {
      path: file,
      fileName: path.basename(file),
      bytes,
      windowsPath: mapped?.windowsPath,
      windowsPathOrigin: mapped?.origin,
      loadPositions: sideLoading?.positions ?? [],
      siblingSearch: sideLoading?.search,
    },
    { knowledge: options.knowledge, verifySignature: options.verifySignature },
  );
}

/**
 * Triage `files` (host paths), `concurrency` at a time, keeping input order in the result.
 * Never throws for a bad file: each problem becomes that file's `error` record.
 */
export async function triageHostFiles(files: string[], options: HostTriageOptions): Promise<TriageRecord[]> {
  const results: TriageRecord[] = new Array(files.length);
  const folders = options.folderScans ?? hostFolderScans(options);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) {
      results[i] = await triageOne(files[i]!, options, folders);
      options.onProgress?.(++done, files.length);
    }
  };
  const n = Math.max(1, Math.min(options.concurrency ?? 4, files.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results;
}
