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
 * held gets an `error` record with the code `worker-failed`, and the failure is returned: one per
 * worker lost, counting its files, and the files of chunks no worker was left for count in the
 * last one's (so `triage` prints one line per worker lost, never one per chunk).
 *
 * Source: Node.js, "Worker threads" (https://nodejs.org/docs/latest-v20.x/api/worker_threads.html)
 * and `os.availableParallelism()` (https://nodejs.org/docs/latest-v20.x/api/os.html#osavailableparallelism).
 */
import { availableParallelism } from "node:os";
import path from "node:path";
import type { Worker } from "node:worker_threads";
import type { TriageRecord } from "../triage/index.js";
import type { VerifierOptions } from "./signature-verifier.js";
import type { ChunkMessage, TriageWorkerData, WorkerMessage } from "./triage-worker.js";
import { workerThreads } from "../util/worker-threads.js";
import { workerEntry, type WorkerEntry } from "./worker-entry.js";

export { SEA_BUNDLE_ASSET, workerEntry, type WorkerEntry } from "./worker-entry.js";

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
/** … or at least this many bytes (100 MB; a threshold of work, not a read cap: src/limits.ts holds those). */
export const AUTO_MIN_BYTES = 100_000_000;
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
  /** Stops the run the moment it is aborted (Ctrl-C): every worker sees it before its next file. */
  signal?: AbortSignal;
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
  /** One per worker lost (at most `jobs`); their `files` add up to the `worker-failed` records. */
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

/** One run across workers: the state {@link streamHostFilesInWorkers} drives, message by message. */
class PoolRun {
  readonly slots: Slot[] = [];
  readonly failures: WorkerFailure[] = [];
  /** Records judged but not yet handed over (a later chunk finished before an earlier one). */
  readonly #ready = new Map<number, TriageRecord>();
  readonly #stopFlag: Int32Array;
  readonly #window: number;
  #nextChunk = 0;
  handed = 0;
  #done = 0;
  #flushing: Promise<void> = Promise.resolve();
  #ended = false;
  #settle!: { resolve: () => void; reject: (e: unknown) => void };
  /** Settles once every chunk is judged (or the run stopped, or no worker is left) and handed over. */
  readonly finished = new Promise<void>((resolve, reject) => (this.#settle = { resolve, reject }));

  constructor(
    readonly files: readonly string[],
    readonly chunks: FolderChunk[],
    readonly options: PoolOptions,
    readonly onRecord: (record: TriageRecord, index: number) => void | Promise<void>,
    stop: SharedArrayBuffer,
    window: number,
  ) {
    this.#stopFlag = new Int32Array(stop);
    this.#window = window;
  }

  /** Adds a started worker; its messages, errors and exit drive the run. */
  add(worker: Worker): void {
    const slot: Slot = { worker, held: [], alive: true };
    worker.on("message", (m: WorkerMessage) => this.#onMessage(slot, m));
    worker.on("error", (e) => this.#fail(slot, e));
    worker.on("exit", (code) => this.#fail(slot, new Error(`the worker thread exited with code ${code}`)));
    this.slots.push(slot);
  }

  /** Whether the run is stopping; sets the shared flag the first time `options.stopped` says so. */
  stopping(): boolean {
    if (Atomics.load(this.#stopFlag, 0) === 0 && this.options.stopped?.() === true)
      Atomics.store(this.#stopFlag, 0, 1);
    return Atomics.load(this.#stopFlag, 0) !== 0;
  }

  /** Ends every worker: none is left to keep the process alive. */
  async close(): Promise<void> {
    Atomics.store(this.#stopFlag, 0, 1);
    for (const slot of this.slots) slot.alive = false;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  /** Done when no worker holds a chunk and nothing more will be handed out. */
  finishIfIdle(): void {
    const busy = this.slots.some((s) => s.alive && s.held.length > 0);
    const more = this.#nextChunk < this.chunks.length && !this.stopping() && this.slots.some((s) => s.alive);
    if (!busy && !more) void this.#flushing.then(() => this.#end());
  }

  /** Hands out chunks in order while a worker has room and the chunk ends within the window. */
  dispatch(): void {
    while (!this.#ended && !this.stopping() && this.#nextChunk < this.chunks.length) {
      const chunk = this.chunks[this.#nextChunk]!;
      if (chunk.first !== this.handed && chunk.first + chunk.paths.length - this.handed > this.#window) break;
      const alive = this.slots.filter((s) => s.alive);
      if (alive.length === 0) {
        // No worker is left: the rest are not judged, and say so file by file.
        this.#loseUnsent(chunk);
        this.#nextChunk++;
        this.#advance();
        return;
      }
      const slot = alive.reduce((a, b) => (b.held.length < a.held.length ? b : a));
      if (slot.held.length >= CHUNKS_PER_WORKER) break;
      slot.held.push({ ...chunk, delivered: 0 });
      const message: ChunkMessage = { type: "chunk", first: chunk.first, paths: chunk.paths };
      slot.worker.postMessage(message);
      this.#nextChunk++;
    }
    this.finishIfIdle();
  }

  #end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    if (error === undefined) this.#settle.resolve();
    else this.#settle.reject(error);
  }

  /** Records leave in order, one flush at a time; then more work may be handed out. */
  #advance(): void {
    this.#flushing = this.#flushing
      .then(() => this.#flush())
      .then(
        () => this.dispatch(),
        (e: unknown) => this.#end(e),
      );
  }

  async #flush(): Promise<void> {
    while (!this.#ended && this.#ready.has(this.handed)) {
      const record = this.#ready.get(this.handed)!;
      this.#ready.delete(this.handed);
      await this.onRecord(record, this.handed++);
    }
  }

  /**
   * Gives every file of `chunk`, never handed out because no worker is left, a `worker-failed`
   * record, and counts them in the failure of the last worker lost: the run reports one failure
   * per worker, however many chunks were left.
   */
  #loseUnsent(chunk: FolderChunk): void {
    const message = "no worker thread left";
    for (let i = 0; i < chunk.paths.length; i++)
      this.#ready.set(chunk.first + i, workerFailedRecord(chunk.paths[i]!, message));
    const last = this.failures[this.failures.length - 1];
    if (last !== undefined) last.files += chunk.paths.length;
    else this.failures.push({ message, files: chunk.paths.length });
  }

  #fail(slot: Slot, error: unknown): void {
    if (!slot.alive || this.#ended) return;
    slot.alive = false;
    const message = error instanceof Error ? error.message : String(error);
    let lost = 0;
    // Files not judged because the run stopped are not the worker's loss: no record, as without workers.
    if (!this.stopping())
      for (const chunk of slot.held)
        for (let i = chunk.delivered; i < chunk.paths.length; i++, lost++)
          this.#ready.set(chunk.first + i, workerFailedRecord(chunk.paths[i]!, message));
    slot.held = [];
    // A worker ending while the run stops loses nothing: Ctrl-C stays 130, not an internal error.
    if (lost > 0 || !this.stopping()) this.failures.push({ message, files: lost });
    void slot.worker.terminate();
    this.#advance();
  }

  #onMessage(slot: Slot, m: WorkerMessage): void {
    if (this.#ended || !slot.alive) return;
    this.stopping();
    if (m.type === "record") {
      const chunk = slot.held[0];
      if (chunk !== undefined) chunk.delivered++;
      this.#ready.set(m.index, m.record);
      this.options.onProgress?.(++this.#done, this.files.length);
    } else {
      slot.held = slot.held.filter((c) => c.first !== m.first);
    }
    this.#advance();
  }
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
  if (chunks.length === 0) return { handed: 0, failures: [] };
  const jobs = Math.max(1, Math.min(options.jobs, chunks.length, MAX_JOBS));
  const stop = new SharedArrayBuffer(4);
  const data: TriageWorkerData = {
    kind: "koff-triage-worker",
    imageRoot: options.imageRoot,
    originalWindowsPath: options.originalWindowsPath,
    verifier: options.verifier,
    stop,
  };
  const run = new PoolRun(files, chunks, options, onRecord, stop, reorderWindow(jobs, chunkFiles));
  for (let i = 0; i < jobs; i++)
    run.add(
      "file" in entry
        ? new (workerThreads().Worker)(entry.file, { workerData: data })
        : new (workerThreads().Worker)(entry.code, { eval: true, workerData: data }),
    );
  // A stop seen while no worker says anything (a long file) still reaches them.
  const poll = setInterval(() => {
    if (run.stopping()) run.finishIfIdle();
  }, STOP_POLL_MS);
  const abort = () => {
    Atomics.store(new Int32Array(stop), 0, 1);
    run.finishIfIdle();
  };
  options.signal?.addEventListener("abort", abort);
  if (options.signal?.aborted === true) abort();
  try {
    run.dispatch();
    await run.finished;
  } finally {
    clearInterval(poll);
    options.signal?.removeEventListener("abort", abort);
    await run.close();
  }
  return { handed: run.handed, failures: run.failures };
}
