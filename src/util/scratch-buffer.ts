/**
 * One buffer that successive file reads fill in turn (`readUserFile`'s `into` option,
 * src/util/safe-file.ts), so a run over many files does not allocate memory for each: a fresh
 * Buffer of a few MiB is fresh pages, each faulted in and zeroed by the kernel, then collected
 * (for `triage -r` over 808 files, about 1 s of CPU of 6; docs/architecture.md "Triage
 * throughput").
 *
 * The bytes of a read are valid until the next read into the same buffer: whoever reads into it
 * keeps no view of them (no subarray, no DataView) past that. Triage records hold strings and
 * numbers only, and the certificate cache copies what it keeps (test/triage/scratch-reuse.test.ts).
 *
 * Source: docs/architecture.md ("Triage throughput").
 */
import { READ_LIMITS } from "../limits.js";

/**
 * Files larger than this are read into a buffer of their own, not kept for the rest of the run:
 * the largest module a folder scan reads (64 MiB), so a scan never reallocates.
 */
export const SCRATCH_KEEP_BYTES = READ_LIMITS.siblingModuleBytes;

/** A reusable read buffer; see the module comment. */
export class ScratchBuffer {
  readonly #keepBytes: number;
  readonly #allocate: (length: number) => Buffer;
  #buffer: Buffer | undefined;

  /**
   * @param keepBytes - the largest buffer kept between reads, in bytes.
   * @param allocate - makes the kept buffer (default: unpooled memory; src/util/sha256-thread.ts
   *   passes shared memory, which a second thread can hash).
   */
  constructor(
    keepBytes: number = SCRATCH_KEEP_BYTES,
    allocate: (length: number) => Buffer = (n) => Buffer.allocUnsafeSlow(n),
  ) {
    this.#keepBytes = keepBytes;
    this.#allocate = allocate;
  }

  /**
   * A buffer of at least `length` bytes for the next read: this one (grown when shorter) when
   * `length` is at most the kept size, else a fresh one. Either way its content is whatever was
   * there: the caller reads over it.
   */
  claim(length: number): Buffer {
    if (length > this.#keepBytes) return Buffer.allocUnsafeSlow(length);
    if (this.#buffer === undefined || this.#buffer.length < length)
      // Grown with headroom, so a run of slightly larger files does not reallocate each time.
      this.#buffer = this.#allocate(
        Math.min(this.#keepBytes, Math.max(length, 2 * (this.#buffer?.length ?? 0))),
      );
    return this.#buffer;
  }
}
