/**
 * `triage -r` across cores: the input's files, split into runs of one folder ("chunks", at most
 * {@link CHUNK_FILES} files each), are handed in walk order to worker threads
 * (src/app/triage-worker.ts), and their records are handed on in exactly the input order, so the
 * output is byte for byte the one-thread run's. Measurements and the reasoning behind the
 * defaults: docs/architecture.md "Worker threads: split by folder, where it pays".
 *
 * Memory stays bounded however the files fall: a worker holds at most {@link CHUNKS_PER_WORKER}
 * chunks (one judged, the next queued), and a chunk is handed out only while it ends within
 * {@link reorderWindow} files of the next record to print, so a slow file holds back at most that
 * many judged records behind it (back-pressure: the other workers wait instead of racing ahead).
 *
 * A stop (Ctrl-C, a closed stdout) sets a flag shared with every worker, asked before each file;
 * records after the first file not judged are not printed (the one-thread run never judged them).
 * A worker that fails (throws, runs out of memory, exits) loses no record silently: each file it
 * held gets an `error` record with the code `worker-failed`, and the failure is returned.
 *
 * Source: Node.js, "Worker threads" (https://nodejs.org/docs/latest-v20.x/api/worker_threads.html)
 * and `os.availableParallelism()` (https://nodejs.org/docs/latest-v20.x/api/os.html#osavailableparallelism).
 */
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { TriageRecord } from "../triage/index.js";
import type { VerifierOptions } from "./signature-verifier.js";
import type { ChunkMessage, TriageWorkerData, WorkerMessage } from "./triage-worker.js";

/** Most files of one folder handed to a worker at once: a larger folder is sliced, so cores share it. */
export const CHUNK_FILES = 32;
/** Chunks a worker holds at most: the one it judges and the next, so it never waits for the main thread. */
export const CHUNKS_PER_WORKER = 2;
/** Most worker threads (`--jobs` and `auto`): each costs its own heap and module graph (about 30 MB). */
export const MAX_JOBS = 64;
/** `--jobs auto` starts workers only with more cores than this (docs/architecture.md). */
export const AUTO_MIN_CORES = 2;
/** `--jobs auto` starts workers for at least this many files (docs/architecture.md)… */
export const AUTO_MIN_FILES = 300;
/** … or at least this many bytes (100 MB). */
export const AUTO_MIN_BYTES = 100 * 1024 * 1024;
/**
 * `--jobs auto` starts at most this many workers: beyond about ten, the main thread (which takes
 * in, re-orders and prints every record: about 0.5 ms of its CPU a record against 5 ms of a
 * worker's to judge the file) is the limit (docs/architecture.md).
 */
export const AUTO_MAX_JOBS = 8;

/** A run of consecutive input files in one folder: the input's files `first`, `first + 1`, … */
export interface FolderChunk {
  first: number;
  paths: string[];
}

/**
 * The input `files` cut into {@link FolderChunk}s, in order: a new chunk starts where the folder
 * changes or the chunk is full. A folder named twice in the input (not consecutive) gives two
 * chunks; each worker scans a folder from disk, so its verdicts do not depend on the cut.
 * @param max - most files per chunk (at least 1).
 */
export function folderChunks(files: readonly string[], max = CHUNK_FILES): FolderChunk[] {
  const chunks: FolderChunk[] = [];
  let folder: string | undefined;
  let current: FolderChunk | undefined;
  files.forEach((file, i) => {
    const dir = path.dirname(file);
    if (current === undefined || dir !== folder || current.paths.length >= max) {
      current = { first: i, paths: [] };
      chunks.push(current);
      folder = dir;
    }
    current.paths.push(file);
  });
  return chunks;
}

/** `--jobs`: a number of worker threads (1: none, the files are judged on the main thread) or `auto`. */
export type JobsSetting = number | "auto";

/**
 * The worker threads `--jobs auto` starts for `fileCount` files of `byteCount` bytes (`undefined`
 * when not known: only the count decides) on `cores` cores: 1 (none) on two cores or fewer, or
 * for less work than {@link AUTO_MIN_FILES} files and {@link AUTO_MIN_BYTES}; otherwise one per
 * core but the main thread's, at most {@link AUTO_MAX_JOBS}.
 */
export function autoJobs(
  fileCount: number,
  byteCount: number | undefined,
  cores = availableParallelism(),
): number {
  if (cores <= AUTO_MIN_CORES) return 1;
  if (fileCount < AUTO_MIN_FILES && (byteCount ?? 0) < AUTO_MIN_BYTES) return 1;
  return Math.min(cores - 1, AUTO_MAX_JOBS);
}

/**
 * Records at most held for re-ordering by a run of `jobs` workers with chunks of `chunkFiles`:
 * what every worker's queued chunks hold.
 */
export function reorderWindow(jobs: number, chunkFiles = CHUNK_FILES): number {
  return jobs * CHUNKS_PER_WORKER * chunkFiles;
}

/**
 * Replaced by esbuild's `define` in the bundles: `"bin-bundle"` in the npm bin's (a worker loads
 * the bundle the main thread runs, scripts/build-bin.ts), `"sea"` in koff-doctor.exe's (a worker
 * evaluates the bundle the executable carries as the asset {@link SEA_BUNDLE_ASSET},
 * scripts/build-exe.ts); undeclared in the tsc build.
 */
declare const KOFF_TRIAGE_WORKER: "bin-bundle" | "sea" | undefined;

/**
 * The asset of koff-doctor.exe holding its own bundle. A Node single executable cannot start a
 * worker from a file (its script is inside the executable: `new Worker(process.execPath)` reads
 * the executable as JavaScript), but can from JavaScript given as a string (`eval: true`), which
 * it reads with `node:sea` `getAsset` (https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html).
 */
export const SEA_BUNDLE_ASSET = "koff-doctor.cjs";

/** How a worker is started here: a file, or JavaScript to evaluate. */
export type WorkerEntry = { file: URL } | { code: string };

/**
 * The worker entry of this build (see {@link KOFF_TRIAGE_WORKER}); `undefined` when workers
 * cannot run here (the exe's bundle run by a plain `node`, outside the executable).
 */
export function workerEntry(): WorkerEntry | undefined {
  const build = typeof KOFF_TRIAGE_WORKER === "string" ? KOFF_TRIAGE_WORKER : undefined;
  if (build === "sea") {
    const sea = process.getBuiltinModule("node:sea");
    return sea.isSea() ? { code: sea.getAsset(SEA_BUNDLE_ASSET, "utf8") } : undefined;
  }
  if (build === "bin-bundle") {
    // In a bin bundle, import.meta.url is the bundle's own URL (dist/bin/<verb>.cjs); the worker
    // loads the same bundle the same way, with its code cache (bin/cli-entry.cjs).
    const bundle = fileURLToPath(import.meta.url);
    const loader = fileURLToPath(new URL("../../bin/cli-entry.cjs", import.meta.url));
    return {
      code: `require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(bundle)}).exports.runTriageWorker();`,
    };
  }
  return { file: new URL("./triage-worker-main.js", import.meta.url) };
}

/** Options of {@link streamHostFilesInWorkers}. */
export interface PoolOptions {
  /** Worker threads to start (at least 1; fewer when there are fewer chunks). */
  jobs: number;
  /** `--image DIR`. */
  imageRoot?: string;
  /** `--as WINPATH`. */
  originalWindowsPath?: string;
  /** The options the run's verifier was built from; each worker builds its own from them. */
  verifier: VerifierOptions;
  /** Asked on every message from a worker, and every {@link STOP_POLL_MS}: `true` stops the run. */
  stopped?: () => boolean;
  /** Called after each file, for progress. */
  onProgress?: (done: number, total: number) => void;
  /** Files per chunk (default {@link CHUNK_FILES}; tests cut folders smaller). */
  chunkFiles?: number;
  /** How workers are started (default {@link workerEntry}). */
  entry?: WorkerEntry;
}

/** A worker that failed: why, and how many files got a `worker-failed` record for it. */
export interface WorkerFailure {
  message: string;
  files: number;
}

/** What a run across workers did. */
export interface PoolResult {
  /** Records handed over (fewer than the files when stopped). */
  handed: number;
  failures: WorkerFailure[];
}

/** How often the pool asks `stopped()` while no worker says anything. */
export const STOP_POLL_MS = 20;

/** The `error` record of a file a failed worker held (key order as every error record's). */
function workerFailedRecord(file: string, message: string): TriageRecord {
  return {
    path: file,
    windowsPath: undefined,
    indicators: [],
    sha256: "",
    size: 0,
    verdict: "error",
    error: { code: "worker-failed", message: `not judged: its worker thread failed (${message})` },
  };
}

/** One worker and the chunks it holds (`delivered`: records received of the first). */
interface Slot {
  worker: Worker;
  held: Array<FolderChunk & { delivered: number }>;
  alive: boolean;
}

/**
 * Triage `files` (host paths) across `options.jobs` worker threads, handing each record to
 * `onRecord` in input order as soon as it and those before it are judged; see the module header
 * for the memory bound, stops and failures. Every worker is ended before this returns.
 * @throws Error when no worker can be started in this build ({@link workerEntry}); what
 *   `onRecord` throws.
 */
export async function streamHostFilesInWorkers(
  files: readonly string[],
  options: PoolOptions,
  onRecord: (record: TriageRecord, index: number) => void | Promise<void>,
): Promise<PoolResult> {
  const entry = options.entry ?? workerEntry();
  if (entry === undefined) throw new Error("this build cannot start worker threads");
  const chunkFiles = Math.max(1, options.chunkFiles ?? CHUNK_FILES);
  const chunks = folderChunks(files, chunkFiles);
  const jobs = Math.max(1, Math.min(options.jobs, chunks.length, MAX_JOBS));
  const window = reorderWindow(jobs, chunkFiles);
  const stop = new SharedArrayBuffer(4);
  const stopFlag = new Int32Array(stop);
  const data: TriageWorkerData = {
    kind: "koff-triage-worker",
    imageRoot: options.imageRoot,
    originalWindowsPath: options.originalWindowsPath,
    verifier: options.verifier,
    stop,
  };
  const slots: Slot[] = [];
  const ready = new Map<number, TriageRecord>();
  const failures: WorkerFailure[] = [];
  let nextChunk = 0;
  let handed = 0;
  let done = 0;
  let flushing: Promise<void> = Promise.resolve();
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  let ended = false;

  const stopping = () => {
    if (Atomics.load(stopFlag, 0) === 0 && options.stopped?.() === true) Atomics.store(stopFlag, 0, 1);
    return Atomics.load(stopFlag, 0) !== 0;
  };
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    if (error === undefined) settle.resolve();
    else settle.reject(error);
  };
  const flush = async () => {
    while (!ended && ready.has(handed)) {
      const record = ready.get(handed)!;
      ready.delete(handed);
      await onRecord(record, handed++);
    }
  };
  // Records leave in order, one flush at a time; then more work may be handed out.
  const advance = () => {
    flushing = flushing.then(flush).then(dispatch, end);
  };
  const finishIfIdle = () => {
    const busy = slots.some((s) => s.alive && s.held.length > 0);
    if (!busy && (nextChunk >= chunks.length || stopping() || !slots.some((s) => s.alive)))
      void flushing.then(() => end());
  };
  // Hands out chunks in order while a worker has room and the chunk ends within the window.
  function dispatch(): void {
    while (!ended && !stopping() && nextChunk < chunks.length) {
      const chunk = chunks[nextChunk]!;
      if (chunk.first !== handed && chunk.first + chunk.paths.length - handed > window) break;
      const alive = slots.filter((s) => s.alive);
      if (alive.length === 0) {
        // No worker is left: the rest are not judged, and say so file by file.
        for (const [i, file] of chunk.paths.entries())
          ready.set(chunk.first + i, workerFailedRecord(file, "no worker thread left"));
        failures.push({ message: "no worker thread left", files: chunk.paths.length });
        nextChunk++;
        advance();
        return;
      }
      const slot = alive.reduce((a, b) => (b.held.length < a.held.length ? b : a));
      if (slot.held.length >= CHUNKS_PER_WORKER) break;
      slot.held.push({ ...chunk, delivered: 0 });
      const message: ChunkMessage = { type: "chunk", first: chunk.first, paths: chunk.paths };
      slot.worker.postMessage(message);
      nextChunk++;
    }
    finishIfIdle();
  }
  const fail = (slot: Slot, error: unknown) => {
    if (!slot.alive || ended) return;
    slot.alive = false;
    const message = error instanceof Error ? error.message : String(error);
    let lost = 0;
    // Files not judged because the run stopped are not the worker's loss: no record, as without workers.
    if (!stopping())
      for (const chunk of slot.held)
        for (let i = chunk.delivered; i < chunk.paths.length; i++, lost++)
          ready.set(chunk.first + i, workerFailedRecord(chunk.paths[i]!, message));
    slot.held = [];
    failures.push({ message, files: lost });
    void slot.worker.terminate();
    advance();
  };
  const onMessage = (slot: Slot, m: WorkerMessage) => {
    if (ended || !slot.alive) return;
    stopping();
    const chunk = slot.held[0];
    if (m.type === "record") {
      if (chunk !== undefined) chunk.delivered++;
      ready.set(m.index, m.record);
      options.onProgress?.(++done, files.length);
    } else {
      slot.held = slot.held.filter((c) => c.first !== m.first);
    }
    advance();
  };

  for (let i = 0; i < jobs; i++) {
    const worker =
      "file" in entry
        ? new Worker(entry.file, { workerData: data })
        : new Worker(entry.code, { eval: true, workerData: data });
    const slot: Slot = { worker, held: [], alive: true };
    worker.on("message", (m: WorkerMessage) => onMessage(slot, m));
    worker.on("error", (e) => fail(slot, e));
    worker.on("exit", (code) => fail(slot, new Error(`the worker thread exited with code ${code}`)));
    slots.push(slot);
  }
  const poll = setInterval(() => {
    if (stopping()) finishIfIdle();
  }, STOP_POLL_MS);
  try {
    dispatch();
    await finished;
    await flushing;
  } finally {
    clearInterval(poll);
    Atomics.store(stopFlag, 0, 1);
    for (const slot of slots) slot.alive = false;
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
  return { handed, failures };
}
