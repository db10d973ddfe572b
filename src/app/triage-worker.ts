/**
 * One worker thread of `triage -r --jobs N` (src/app/triage-pool.ts starts them): it judges the
 * runs of files ("chunks", whole folders or slices of one) the main thread hands it, one file at
 * a time, and posts each record back with its index in the input, for the main thread to print
 * in input order. What it keeps from the one-thread run (docs/architecture.md "Worker threads:
 * split by folder, where it pays"):
 * - it opens the same host source ({@link openSource} with the same `--image` root and `--as`),
 *   so it reads nothing the main thread would refuse;
 * - it builds its verifier from the same options (trust files, the image's roots, policy, time);
 * - it asks the shared stop flag before every file, so Ctrl-C or a closed stdout stops it before
 *   its next file;
 * - its folder scans (side-loading search) are its own, cached for its life: a folder's scan reads
 *   the folder on disk, not the input list, so a worker judging part of a folder sees all of its
 *   neighbours, and its verdicts are those of the one-thread run.
 * Anything it cannot do (a trust file gone, a record that cannot be posted) throws out of the
 * thread: the main thread then gives each file it held an `error` record (`worker-failed`).
 *
 * Source: Node.js, "Worker threads" (https://nodejs.org/docs/latest-v20.x/api/worker_threads.html).
 */
import { openSource } from "../adapters/open-source.js";
import { loadKnowledge } from "../knowledge/index.js";
import type { TriageRecord } from "../triage/index.js";
import { streamSnapshotFiles } from "../triage/triage-snapshot-files.js";
import { createSignatureVerifier, type VerifierOptions } from "./signature-verifier.js";
import { hostFolderScans } from "./triage-host-files.js";
import type { Sha256ThreadData } from "../util/sha256-thread.js";
import { workerThreads } from "../util/worker-threads.js";
import { runDigestThread } from "./digest-thread.js";

/** What a triage worker is started with (`workerData`): plain, cloneable data. */
export interface TriageWorkerData {
  /** Marks the data as a triage worker's. */
  kind: "koff-triage-worker";
  /** `--image DIR`: the root every path must stay inside. */
  imageRoot?: string;
  /** `--as WINPATH` (one file only). */
  originalWindowsPath?: string;
  /** The options the main thread built its verifier from. */
  verifier: VerifierOptions;
  /** One Int32: non-zero once the run is stopped (Ctrl-C, a closed stdout). */
  stop: SharedArrayBuffer;
}

/** Main thread → worker: judge `paths`, the input's files `first`, `first + 1`, … */
export interface ChunkMessage {
  type: "chunk";
  first: number;
  paths: string[];
}

/** Worker → main thread: one file's record, `index` in the whole input. */
export interface RecordMessage {
  type: "record";
  index: number;
  record: TriageRecord;
}

/** Worker → main thread: the chunk starting at `first` is finished; `count` records were posted (fewer when stopped). */
export interface ChunkDoneMessage {
  type: "done";
  first: number;
  count: number;
}

export type WorkerMessage = RecordMessage | ChunkDoneMessage;

/**
 * The body of a triage worker thread: judges the chunks it is sent until the main thread ends it
 * (`Worker#terminate`). Rejects (ending the thread with an `error` event in the main thread) when
 * it cannot open the source or build its verifier, or cannot post a record.
 * @throws Error when not called inside a worker started with {@link TriageWorkerData}.
 */
export async function runTriageWorker(): Promise<void> {
  const { parentPort: port, workerData } = workerThreads();
  // The same program runs the digest thread of a one-thread run (src/app/digest-thread.ts).
  if ((workerData as { kind?: unknown } | undefined)?.kind === "koff-sha256-thread")
    return runDigestThread(workerData as Sha256ThreadData);
  const data = workerData as TriageWorkerData | undefined;
  if (port === null || data?.kind !== "koff-triage-worker")
    throw new Error("runTriageWorker runs only in a triage worker thread");
  const stopFlag = new Int32Array(data.stop);
  const stopped = () => Atomics.load(stopFlag, 0) !== 0;
  // Listen first: chunks posted while the verifier is built wait in this queue.
  const queue: ChunkMessage[] = [];
  let wake: (() => void) | undefined;
  port.on("message", (m: ChunkMessage) => {
    queue.push(m);
    wake?.();
  });
  const hostOptions = { imageRoot: data.imageRoot, originalWindowsPath: data.originalWindowsPath };
  const { snapshot } = await openSource({ hostFiles: true, ...hostOptions });
  const verifier = await createSignatureVerifier(data.verifier);
  const options = {
    knowledge: loadKnowledge(),
    verifySignature: verifier.verify,
    folderScans: hostFolderScans(hostOptions),
    stopped,
  };
  for (;;) {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const chunk = queue.shift()!;
    let count = 0;
    await streamSnapshotFiles(snapshot, chunk.paths, options, (record, i) => {
      // A host path always gets a record (an error record when it cannot be read).
      const message: RecordMessage = { type: "record", index: chunk.first + i, record: record! };
      port.postMessage(message);
      count++;
    });
    const done: ChunkDoneMessage = { type: "done", first: chunk.first, count };
    port.postMessage(done);
  }
}
