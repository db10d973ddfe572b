/**
 * A second thread that computes each file's sha256, and one more result over the same bytes,
 * while the main thread parses and judges it (`triage -r` on a machine with a second core; the
 * other result is triage's search for API names, src/app/digest-thread.ts). Files are read into
 * shared memory (one of {@link HASH_SLOTS} {@link ScratchBuffer}s over `SharedArrayBuffer`s), so
 * the thread works on the very bytes the main thread walks: nothing is copied or posted per
 * file. Each buffer has a slot of its own on the thread (its memory, job, result and digest), so
 * a file can be handed over while the one before is still being hashed: the caller takes that
 * one's digest once the next file is read. Handing over a file and taking back each result are
 * a few `Atomics` stores and a futex wake each way; a buffer's memory is posted to the thread
 * once, then again only when the buffer grows.
 *
 * Jobs are done in the order handed over; per file the other result first (the main thread needs
 * it to judge the file), then the sha256 (needed only for the record). It buys wall time, not
 * CPU: the work costs the same on either thread, and the thread's start costs CPU once (a Node
 * environment of its own, and the code it runs), so a caller starts it only for runs long enough
 * to repay that (docs/architecture.md "Triage throughput").
 *
 * The main thread never waits on a thread that died: a result not back within
 * {@link DIGEST_TIMEOUT_MS} of the last progress, or a thread that failed, makes the caller
 * compute inline from then on (the bytes are untouched until the digest is taken).
 *
 * Source: Node.js worker_threads and Atomics (https://nodejs.org/api/worker_threads.html;
 * https://tc39.es/ecma262/#sec-atomics-object).
 */
import { createHash } from "node:crypto";
import type { MessagePort, Worker } from "node:worker_threads";
import { workerThreads } from "./worker-threads.js";
import { ScratchBuffer, SCRATCH_KEEP_BYTES } from "./scratch-buffer.js";

/** Files below this many bytes are hashed inline: a hand-over costs more than it saves. */
export const THREAD_HASH_MIN_BYTES = 64 * 1024;

/** How long the main thread waits for one result before giving the thread up, in ms. */
export const DIGEST_TIMEOUT_MS = 30_000;

/** Read buffers, so slots on the thread: the file being judged and the one read after it. */
export const HASH_SLOTS = 2;

/** Numbers the other result may hold at most (a longer one is not passed back: computed inline). */
export const EXTRA_CAPACITY = 8192;

// The shared control words (Int32). WAKE: bumped by the main thread for each job and to stop,
// so the thread sleeps on one word whatever slot is next. Per slot (index + slot): STATE, what
// the slot is asked or has done; LENGTH, its job's bytes (the memory's first ones); TICKET, its
// job's number (jobs are done in the order begun); GENERATION, the memory the main thread put
// in the slot.
const READY = 0;
const WAKE = 1;
const STOPPING = 2;
const STATE = 3;
const LENGTH = STATE + HASH_SLOTS;
const TICKET = LENGTH + HASH_SLOTS;
const GENERATION = TICKET + HASH_SLOTS;
const CONTROL_WORDS = GENERATION + HASH_SLOTS;
// Slot states, in the order a job goes through them.
const IDLE = 0;
const JOB = 1;
const EXTRA_DONE = 2;
const DONE = 3;
const FAILED = 4;
const DIGEST_BYTES = 32;
/** Per slot: how many numbers the result holds (-1: none), then the numbers. */
const EXTRA_STRIDE = EXTRA_CAPACITY + 1;

/** What the thread is started with (`workerData`). */
export interface Sha256ThreadData {
  kind: "koff-sha256-thread";
  control: Int32Array;
  /** {@link DIGEST_BYTES} per slot. */
  digests: Uint8Array;
  /** {@link EXTRA_STRIDE} numbers per slot. */
  extras: Float64Array;
  port: MessagePort;
}

/** How a thread is started: a module file, or JavaScript to evaluate (a single executable's). */
export type ThreadEntry = { file: URL } | { code: string };

/** The slot of the oldest job waiting, or -1. */
function nextSlot(control: Int32Array): number {
  let slot = -1;
  for (let i = 0; i < HASH_SLOTS; i++)
    if (
      Atomics.load(control, STATE + i) === JOB &&
      (slot < 0 || Atomics.load(control, TICKET + i) < Atomics.load(control, TICKET + slot))
    )
      slot = i;
  return slot;
}

/**
 * The thread's body: sleeps on WAKE while no slot holds a JOB; for the oldest job,
 * `extra(bytes)` into the slot's result (none when it throws or returns more than
 * {@link EXTRA_CAPACITY} numbers), then the sha256 of the slot's memory `[0, LENGTH)` into its
 * digest; takes the memories posted on its port (in order) until the slot's GENERATION says it
 * holds the one the main thread put there. Returns when stopped; on an unexpected exception
 * marks every job waiting FAILED.
 */
export function runSha256Thread(
  data: Sha256ThreadData,
  extra: (bytes: Uint8Array) => Float64Array | undefined = () => undefined,
): void {
  const { control, digests, extras, port } = data;
  const { receiveMessageOnPort } = workerThreads();
  const memories: Uint8Array[] = Array.from({ length: HASH_SLOTS }, () => new Uint8Array(0));
  const generations = new Array<number>(HASH_SLOTS).fill(0);
  Atomics.store(control, READY, 1);
  try {
    for (;;) {
      const wake = Atomics.load(control, WAKE);
      if (Atomics.load(control, STOPPING) === 1) return;
      const slot = nextSlot(control);
      if (slot < 0) {
        Atomics.wait(control, WAKE, wake);
        continue;
      }
      while (generations[slot] !== Atomics.load(control, GENERATION + slot)) {
        const m = receiveMessageOnPort(port) as
          { message: { slot: number; memory: SharedArrayBuffer; generation: number } } | undefined;
        if (m === undefined) {
          Atomics.wait(control, GENERATION + slot, generations[slot]!, 1);
          continue;
        }
        memories[m.message.slot] = new Uint8Array(m.message.memory);
        generations[m.message.slot] = m.message.generation;
      }
      const bytes = memories[slot]!.subarray(0, Atomics.load(control, LENGTH + slot));
      let more: Float64Array | undefined;
      try {
        more = extra(bytes);
      } catch {
        more = undefined;
      }
      const at = slot * EXTRA_STRIDE;
      if (more !== undefined && more.length <= EXTRA_CAPACITY) {
        extras.set(more, at + 1);
        extras[at] = more.length;
      } else extras[at] = -1;
      Atomics.store(control, STATE + slot, EXTRA_DONE);
      Atomics.notify(control, STATE + slot);
      digests.set(createHash("sha256").update(bytes).digest(), slot * DIGEST_BYTES);
      Atomics.store(control, STATE + slot, DONE);
      Atomics.notify(control, STATE + slot);
    }
  } catch {
    for (let i = 0; i < HASH_SLOTS; i++) {
      Atomics.compareExchange(control, STATE + i, JOB, FAILED);
      Atomics.compareExchange(control, STATE + i, EXTRA_DONE, FAILED);
      Atomics.notify(control, STATE + i);
    }
  }
}

/** A file handed to the thread: its results. */
export interface PendingWork {
  /** The other result; `undefined` when the thread gave none (compute it inline). Before {@link digest}. */
  extra(): Float64Array | undefined;
  /** The sha256 (lower-case hex), once, after the last read of the bytes. */
  digest(): string;
}

/** See the module comment. */
export class Sha256Thread {
  /**
   * Read files into these buffers for {@link begin} to hand them to the thread: one per file in
   * flight (the file being judged, the next one read).
   */
  readonly scratches: readonly ScratchBuffer[];
  readonly #worker: Worker;
  readonly #control: Int32Array;
  readonly #digests: Uint8Array;
  readonly #extras: Float64Array;
  readonly #port: MessagePort;
  /** The memory each slot of the thread holds. */
  readonly #sent = new Array<ArrayBufferLike | undefined>(HASH_SLOTS);
  /** Per slot, the job handed over and not yet taken back (its bytes, to hash inline if need be). */
  readonly #pending = new Array<Uint8Array | undefined>(HASH_SLOTS);
  /** The slot of the last job: a memory new to the thread goes to another one. */
  #lastSlot = 0;
  #generation = 0;
  #tickets = 0;
  #broken = false;

  private constructor(entry: ThreadEntry) {
    const { MessageChannel, Worker } = workerThreads();
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    const shared = (bytes: number) => new SharedArrayBuffer(bytes);
    this.#control = new Int32Array(shared(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT));
    this.#digests = new Uint8Array(shared(HASH_SLOTS * DIGEST_BYTES));
    this.#extras = new Float64Array(shared(HASH_SLOTS * EXTRA_STRIDE * Float64Array.BYTES_PER_ELEMENT));
    const workerData: Sha256ThreadData = {
      kind: "koff-sha256-thread",
      control: this.#control,
      digests: this.#digests,
      extras: this.#extras,
      port: port2,
    };
    // The thread needs no stdio; the process must not wait for it to exit.
    const options = { workerData, transferList: [port2], stdout: true, stderr: true };
    this.#worker =
      "file" in entry ? new Worker(entry.file, options) : new Worker(entry.code, { ...options, eval: true });
    this.#worker.unref();
    this.#port.unref();
    this.#worker.on("error", () => this.#fail());
    this.#worker.on("exit", () => this.#fail());
    this.scratches = Array.from(
      { length: HASH_SLOTS },
      () => new ScratchBuffer(SCRATCH_KEEP_BYTES, (n) => Buffer.from(shared(n))),
    );
  }

  /**
   * Starts the thread from `entry`, a program that calls {@link runSha256Thread} (its start-up
   * runs on it; {@link begin} leaves files inline until it is ready).
   * @returns `undefined` when the runtime cannot start one.
   */
  static start(entry: ThreadEntry): Sha256Thread | undefined {
    try {
      return new Sha256Thread(entry);
    } catch {
      return undefined;
    }
  }

  /**
   * Hands `bytes` to the thread when they lie in one of this thread's {@link scratches} and are
   * long enough to be worth it. A job begun in the same slot and never taken (its triage threw)
   * is waited out first.
   * @returns the pending results, or `undefined`: compute inline.
   */
  begin(bytes: Uint8Array): PendingWork | undefined {
    const memory = bytes.buffer;
    if (
      this.#broken ||
      bytes.length < THREAD_HASH_MIN_BYTES ||
      bytes.byteOffset !== 0 ||
      !(memory instanceof SharedArrayBuffer) ||
      Atomics.load(this.#control, READY) !== 1
    )
      return undefined;
    const slot = this.#slotFor(memory);
    if (this.#broken) return undefined;
    this.#pending[slot] = bytes;
    const control = this.#control;
    Atomics.store(control, LENGTH + slot, bytes.length);
    Atomics.store(control, TICKET + slot, ++this.#tickets);
    Atomics.store(control, STATE + slot, JOB);
    Atomics.add(control, WAKE, 1);
    Atomics.notify(control, WAKE);
    let taken = false;
    return {
      extra: () =>
        !taken && this.#pending[slot] === bytes && this.#await(slot, EXTRA_DONE)
          ? this.#takeExtra(slot)
          : undefined,
      digest: () => {
        if (taken) throw new Error("Sha256Thread: a digest is taken once");
        taken = true;
        return this.#take(slot, bytes);
      },
    };
  }

  /** Stops the thread (pending digests are then computed inline). */
  close(): void {
    for (let slot = 0; slot < HASH_SLOTS; slot++) this.#settle(slot);
    this.#broken = true;
    Atomics.store(this.#control, STOPPING, 1);
    Atomics.add(this.#control, WAKE, 1);
    Atomics.notify(this.#control, WAKE);
    void this.#worker.terminate();
    this.#port.close();
  }

  /**
   * The slot holding `memory` on the thread; a memory new to it (a buffer seen first, or grown)
   * is posted into a slot with no job, other than the last used when it can: two buffers used in
   * turn each keep a slot of their own.
   */
  #slotFor(memory: SharedArrayBuffer): number {
    let slot = this.#sent.indexOf(memory);
    if (slot >= 0) {
      this.#settle(slot);
    } else {
      slot = (this.#lastSlot + 1) % HASH_SLOTS;
      if (this.#pending[slot] !== undefined && this.#pending[this.#lastSlot] === undefined)
        slot = this.#lastSlot;
      this.#settle(slot);
      this.#port.postMessage({ slot, memory, generation: ++this.#generation });
      this.#sent[slot] = memory;
      Atomics.store(this.#control, GENERATION + slot, this.#generation);
    }
    this.#lastSlot = slot;
    return slot;
  }

  #takeExtra(slot: number): Float64Array | undefined {
    const at = slot * EXTRA_STRIDE;
    const n = this.#extras[at]!;
    return n < 0 ? undefined : this.#extras.slice(at + 1, at + 1 + n);
  }

  #take(slot: number, bytes: Uint8Array): string {
    if (this.#pending[slot] !== bytes) return inlineSha256(bytes);
    const done = this.#await(slot, DONE);
    this.#pending[slot] = undefined;
    if (!done) return inlineSha256(bytes);
    Atomics.store(this.#control, STATE + slot, IDLE);
    const at = slot * DIGEST_BYTES;
    return Buffer.from(this.#digests.buffer, at, DIGEST_BYTES).toString("hex");
  }

  /** Waits until the job in `slot` is at least at `stage`; false when the thread is given up. */
  #await(slot: number, stage: number): boolean {
    if (this.#broken) return false;
    for (;;) {
      const state = Atomics.load(this.#control, STATE + slot);
      if (state >= stage && state <= DONE) return true;
      if (state !== JOB && state !== EXTRA_DONE) {
        // FAILED (the thread caught an exception and ends): never hand it another file.
        this.#fail();
        return false;
      }
      if (Atomics.wait(this.#control, STATE + slot, state, DIGEST_TIMEOUT_MS) === "timed-out") {
        this.#fail();
        return false;
      }
    }
  }

  /** A job begun in `slot` and never taken back (its triage threw) is waited out before the next. */
  #settle(slot: number): void {
    if (this.#pending[slot] === undefined) return;
    const done = this.#await(slot, DONE);
    this.#pending[slot] = undefined;
    if (done) Atomics.store(this.#control, STATE + slot, IDLE);
  }

  #fail(): void {
    this.#broken = true;
  }
}

function inlineSha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
