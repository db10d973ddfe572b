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
import { MAX_SIBLING_EXE_BYTES, siblingLoaders } from "../triage/sibling-loaders.js";
import type { LoadPosition } from "../triage/subject.js";
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
  /** Called after each file, for progress. */
  onProgress?: (done: number, total: number) => void;
}

/** EXEs next to `hostPath` (on this machine's disk) that import its file name. */
async function hostSiblingLoaders(hostPath: string, windowsDir: string | undefined): Promise<LoadPosition[]> {
  const dir = path.dirname(hostPath);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const exes = entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith(".exe"))
    .map((e) => {
      const full = path.join(dir, e.name);
      return {
        where: windowsDir ? normalizeWindowsPath(`${windowsDir}\\${e.name}`) : full,
        read: () => readUserFile(full, { maxBytes: MAX_SIBLING_EXE_BYTES }).catch(() => undefined),
      };
    });
  return siblingLoaders(path.basename(hostPath), exes);
}

async function triageOne(file: string, options: HostTriageOptions): Promise<TriageRecord> {
  const mapped = options.originalWindowsPath
    ? {
        windowsPath: normalizeWindowsPath(options.originalWindowsPath),
        origin: "native" as WindowsPathOrigin,
      }
    : hostPathToWindowsPath(file, options.imageRoot, (dir) => hasVolumeFolders(safeReaddir(dir)));
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
  const loadPositions = options.originalWindowsPath ? [] : await hostSiblingLoaders(file, windowsDir);
  return triageFile(
    {
      path: file,
      fileName: path.basename(file),
      bytes,
      windowsPath: mapped?.windowsPath,
      windowsPathOrigin: mapped?.origin,
      loadPositions,
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
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) {
      results[i] = await triageOne(files[i]!, options);
      options.onProgress?.(++done, files.length);
    }
  };
  const n = Math.max(1, Math.min(options.concurrency ?? 4, files.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results;
}
