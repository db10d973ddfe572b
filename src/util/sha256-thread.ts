/**
 * A second thread that computes each file's sha256 while the main thread parses and judges it
 * (`triage -r` on a machine with a second core). The file is read into shared memory (a
 * {@link ScratchBuffer} over a `SharedArrayBuffer`), so the thread hashes the very bytes the
 * main thread walks: nothing is copied or posted per file. Handing over a file and taking back
 * its digest are two `Atomics` stores and a futex wake each way.
 *
 * It buys wall time, not CPU: the hashing costs the same on either thread, and the thread's
 * start costs about 0.1 s of CPU once (a Node environment of its own), so a caller starts it only
 * for runs long enough to repay that (docs/architecture.md "Triage throughput").
 *
 * The main thread never waits on a thread that died: a digest not back within
 * {@link DIGEST_TIMEOUT_MS} of the last progress, or a thread that failed, makes the caller hash
 * inline from then on (the bytes are untouched until the digest is taken).
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

/** How long the main thread waits for one digest before giving the thread up, in ms. */
export const DIGEST_TIMEOUT_MS = 30_000;

// control[STATE]: what the thread is asked or has done; the others are the job's fields.
const STATE = 0;
const LENGTH = 1;
const GENERATION = 2;
const READY = 3;
const IDLE = 0;
const JOB = 1;
const DONE = 2;
const STOP = 3;
const FAILED = 4;

/**
 * The thread's program (CommonJS, run with `eval`, so the bundles and the single executable carry
 * it without a file of its own). It sleeps while the state is not JOB; hashes
 * `memory[0, LENGTH)` into `digest`; takes a new shared memory, posted on its port, when the
 * job's GENERATION says the main thread has grown its buffer.
 */
const THREAD_SOURCE = `"use strict";
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { control, digest, port } = workerData;
let memory = new Uint8Array(0);
let generation = 0;
Atomics.store(control, ${READY}, 1);
try {
  for (;;) {
    const state = Atomics.load(control, ${STATE});
    if (state === ${STOP}) break;
    if (state !== ${JOB}) { Atomics.wait(control, ${STATE}, state); continue; }
    while (generation !== Atomics.load(control, ${GENERATION})) {
      const m = receiveMessageOnPort(port);
      if (m === undefined) { Atomics.wait(control, ${GENERATION}, generation, 1); continue; }
      memory = new Uint8Array(m.message.memory);
      generation = m.message.generation;
    }
    digest.set(createHash("sha256").update(memory.subarray(0, Atomics.load(control, ${LENGTH}))).digest());
    Atomics.store(control, ${STATE}, ${DONE});
    Atomics.notify(control, ${STATE});
  }
} catch {
  Atomics.store(control, ${STATE}, ${FAILED});
  Atomics.notify(control, ${STATE});
}`;

/** The sha256 of a file handed to the thread: call once, after the last read of its bytes. */
export type PendingDigest = () => string;

/** See the module comment. */
export class Sha256Thread {
  /** Read files into this buffer for {@link begin} to hash them on the thread. */
  readonly scratch: ScratchBuffer;
  readonly #worker: Worker;
  readonly #control: Int32Array;
  readonly #digest: Uint8Array;
  readonly #port: MessagePort;
  #sent: ArrayBufferLike | undefined;
  #generation = 0;
  /** The job handed over and not yet taken back (its bytes, to hash inline if need be). */
  #pending: Uint8Array | undefined;
  #broken = false;

  private constructor() {
    const { MessageChannel, Worker } = workerThreads();
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#control = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
    this.#digest = new Uint8Array(new SharedArrayBuffer(32));
    this.#worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { control: this.#control, digest: this.#digest, port: port2 },
      transferList: [port2],
      // The thread needs no stdio; the process must not wait for it to exit.
      stdout: true,
      stderr: true,
    });
    this.#worker.unref();
    this.#port.unref();
    this.#worker.on("error", () => this.#fail());
    this.#worker.on("exit", () => this.#fail());
    this.scratch = new ScratchBuffer(SCRATCH_KEEP_BYTES, (n) => Buffer.from(new SharedArrayBuffer(n)));
  }

  /**
   * Starts the thread (its start-up runs on it; {@link begin} hashes inline until it is ready).
   * @returns `undefined` when the runtime cannot start one.
   */
  static start(): Sha256Thread | undefined {
    try {
      return new Sha256Thread();
    } catch {
      return undefined;
    }
  }

  /**
   * Hands `bytes` to the thread when they lie in this thread's {@link scratch} and are long
   * enough to be worth it.
   * @returns the pending digest, or `undefined`: hash inline.
   */
  begin(bytes: Uint8Array): PendingDigest | undefined {
    const memory = bytes.buffer;
    if (
      this.#broken ||
      bytes.length < THREAD_HASH_MIN_BYTES ||
      bytes.byteOffset !== 0 ||
      !(memory instanceof SharedArrayBuffer) ||
      Atomics.load(this.#control, READY) !== 1
    )
      return undefined;
    this.#settle();
    if (this.#broken) return undefined;
    if (memory !== this.#sent) {
      this.#port.postMessage({ memory, generation: ++this.#generation });
      this.#sent = memory;
      Atomics.store(this.#control, GENERATION, this.#generation);
    }
    this.#pending = bytes;
    Atomics.store(this.#control, LENGTH, bytes.length);
    Atomics.store(this.#control, STATE, JOB);
    Atomics.notify(this.#control, STATE);
    let taken = false;
    return () => {
      if (taken) throw new Error("Sha256Thread: a digest is taken once");
      taken = true;
      return this.#take(bytes);
    };
  }

  /** Stops the thread (pending digests are then computed inline). */
  close(): void {
    this.#settle();
    this.#broken = true;
    Atomics.store(this.#control, STATE, STOP);
    Atomics.notify(this.#control, STATE);
    void this.#worker.terminate();
    this.#port.close();
  }

  #take(bytes: Uint8Array): string {
    if (this.#pending !== bytes) return inlineSha256(bytes);
    const done = this.#await();
    this.#pending = undefined;
    Atomics.store(this.#control, STATE, IDLE);
    return done ? Buffer.from(this.#digest).toString("hex") : inlineSha256(bytes);
  }

  /** Waits out the job in hand; true when its digest is in #digest. */
  #await(): boolean {
    for (;;) {
      const state = Atomics.load(this.#control, STATE);
      if (state === DONE) return true;
      if (state !== JOB) {
        // FAILED (the thread caught an exception and ends): never hand it another file.
        this.#fail();
        return false;
      }
      if (Atomics.wait(this.#control, STATE, JOB, DIGEST_TIMEOUT_MS) === "timed-out") {
        this.#fail();
        return false;
      }
    }
  }

  /** A job begun and never taken back (its triage threw) is waited out before the next. */
  #settle(): void {
    if (this.#pending === undefined) return;
    this.#await();
    this.#pending = undefined;
    if (!this.#broken) Atomics.store(this.#control, STATE, IDLE);
  }

  #fail(): void {
    this.#broken = true;
  }
}

function inlineSha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
