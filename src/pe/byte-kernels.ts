/**
 * The inner loops of the one walk over a PE file's bytes (./byte-walk.ts): counting bytes into a
 * histogram (section entropy) and summing 32-bit words (the loader checksum). They run in
 * WebAssembly (./wasm/byte-kernels.wat) when the runtime has it, about twice as fast as the
 * same loops in JavaScript over the bench tree (1.0 → 0.5 s of a profile); otherwise
 * (`node --jitless`, which turns WebAssembly off) in JavaScript. Both give the same numbers,
 * which test/pe/byte-kernels.test.ts checks.
 *
 * A kernel walks one chunk at a time: {@link ByteKernel.load} copies it into the kernel's memory
 * (the WebAssembly module cannot see a JavaScript buffer; the copy is from the CPU cache and
 * costs about a tenth of the count), then any number of `addToHistogram` and `sumWords` calls
 * address it by offset. Counts gather in the kernel's own histogram and are added to the
 * caller's only when another histogram is addressed or on {@link ByteKernel.flush}, so a
 * section spanning many chunks is drained once.
 *
 * Never executes or maps the file: the WebAssembly code is ours (committed, built from its text
 * by scripts/build-wasm.ts); the file's bytes are only data to it.
 *
 * Source: WebAssembly JavaScript Interface (https://webassembly.github.io/spec/js-api/);
 * docs/architecture.md ("Triage throughput").
 */
import { addToHistogram } from "./entropy.js";
import { BYTE_KERNELS_WASM_BASE64 } from "./wasm/byte-kernels-wasm.js";

/** The largest chunk {@link ByteKernel.load} takes, in bytes (the walk's chunk size). */
export const KERNEL_CHUNK_BYTES = 64 * 1024;

/** The byte walk's inner loops over one loaded chunk. */
export interface ByteKernel {
  readonly kind: "wasm" | "js";
  /**
   * Makes `chunk` the bytes the next calls address (offsets are from its start).
   * @throws RangeError when it is longer than {@link KERNEL_CHUNK_BYTES}.
   */
  load(chunk: Uint8Array): void;
  /** Adds bytes `[from, to)` of the loaded chunk to `histogram` (256 counters); by the next {@link flush} at the latest. */
  addToHistogram(histogram: Uint32Array, from: number, to: number): void;
  /** The exact sum of the loaded chunk's little-endian u32 words `[fromWord, toWord)`. */
  sumWords(fromWord: number, toWord: number): number;
  /** Adds every count still held in the kernel to its histogram. */
  flush(): void;
}

/** Where the WebAssembly module keeps the eight lanes of counts and the chunk (byte-kernels.wat). */
const LANES_BYTES = 8 * 256 * 4;
const CHUNK_AT = LANES_BYTES;
const PAGE_BYTES = 64 * 1024;
/**
 * Runs shorter than this are counted in JavaScript: moving the lanes' counts to another
 * histogram reads 2,048 counters and clears 8 KiB, more than counting a short run costs (a file
 * of 96 sections of 640 bytes each was 35 % slower without this).
 */
const SHORT_RUN_BYTES = 4096;

/** The parts of the WebAssembly JavaScript interface used here (not in this project's type libraries). */
interface WebAssemblyApi {
  Module: new (binary: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

interface KernelExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  histogram(at: number, length: number): void;
  sumWords(at: number, words: number): number;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

class WasmByteKernel implements ByteKernel {
  readonly kind = "wasm";
  readonly #exports: KernelExports;
  readonly #bytes: Uint8Array;
  readonly #lanes: Uint32Array;
  /** The histogram the lanes' counts belong to, if any. */
  #owner: Uint32Array | undefined;
  #loaded = 0;

  constructor(exports: KernelExports) {
    this.#exports = exports;
    const needed = CHUNK_AT + KERNEL_CHUNK_BYTES;
    const memory = exports.memory;
    if (memory.buffer.byteLength < needed)
      memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE_BYTES));
    this.#bytes = new Uint8Array(memory.buffer);
    this.#lanes = new Uint32Array(memory.buffer, 0, LANES_BYTES / 4);
  }

  load(chunk: Uint8Array): void {
    if (chunk.length > KERNEL_CHUNK_BYTES)
      throw new RangeError(`ByteKernel: a chunk of ${chunk.length} bytes (at most ${KERNEL_CHUNK_BYTES})`);
    this.#bytes.set(chunk, CHUNK_AT);
    this.#loaded = chunk.length;
  }

  addToHistogram(histogram: Uint32Array, from: number, to: number): void {
    const start = Math.max(0, from);
    const end = Math.min(this.#loaded, to);
    if (start >= end) return;
    if (end - start < SHORT_RUN_BYTES) {
      // Counted in place: cheaper than draining the lanes when the next run is another section's.
      addToHistogram(histogram, this.#bytes.subarray(CHUNK_AT + start, CHUNK_AT + end));
      return;
    }
    if (this.#owner !== histogram) {
      this.flush();
      this.#owner = histogram;
    }
    this.#exports.histogram(CHUNK_AT + start, end - start);
  }

  sumWords(fromWord: number, toWord: number): number {
    const start = Math.max(0, fromWord);
    const end = Math.min(this.#loaded >>> 2, toWord);
    return start < end ? this.#exports.sumWords(CHUNK_AT + start * 4, end - start) : 0;
  }

  flush(): void {
    const owner = this.#owner;
    if (owner === undefined) return;
    const lanes = this.#lanes;
    for (let b = 0; b < 256; b++) {
      owner[b]! +=
        lanes[b]! +
        lanes[256 + b]! +
        lanes[512 + b]! +
        lanes[768 + b]! +
        lanes[1024 + b]! +
        lanes[1280 + b]! +
        lanes[1536 + b]! +
        lanes[1792 + b]!;
    }
    lanes.fill(0);
    this.#owner = undefined;
  }
}

/** The same loops in JavaScript: the fallback, and the reference the tests compare with. */
class JsByteKernel implements ByteKernel {
  readonly kind = "js";
  #chunk: Uint8Array = new Uint8Array(0);

  load(chunk: Uint8Array): void {
    if (chunk.length > KERNEL_CHUNK_BYTES)
      throw new RangeError(`ByteKernel: a chunk of ${chunk.length} bytes (at most ${KERNEL_CHUNK_BYTES})`);
    this.#chunk = chunk;
  }

  addToHistogram(histogram: Uint32Array, from: number, to: number): void {
    const start = Math.max(0, from);
    const end = Math.min(this.#chunk.length, to);
    if (start < end) addToHistogram(histogram, this.#chunk.subarray(start, end));
  }

  sumWords(fromWord: number, toWord: number): number {
    const c = this.#chunk;
    let sum = 0;
    for (let i = Math.max(0, fromWord) * 4; i + 3 < Math.min(c.length, toWord * 4); i += 4)
      sum += (c[i]! | (c[i + 1]! << 8) | (c[i + 2]! << 16)) + c[i + 3]! * 0x100_0000;
    return sum;
  }

  flush(): void {}
}

let shared: ByteKernel | undefined;

/**
 * The kernel the walk uses: one per thread (a module-level instance, made on first use), in
 * WebAssembly when this runtime runs it, otherwise in JavaScript.
 */
export function byteKernel(): ByteKernel {
  return (shared ??= createByteKernel("wasm") ?? createByteKernel("js")!);
}

/**
 * A new kernel of the given kind; `undefined` for "wasm" when this runtime has no WebAssembly
 * (or refuses the module).
 */
export function createByteKernel(kind: "wasm" | "js"): ByteKernel | undefined {
  if (kind === "js") return new JsByteKernel();
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) return undefined;
  try {
    const module = new api.Module(decodeBase64(BYTE_KERNELS_WASM_BASE64));
    return new WasmByteKernel(new api.Instance(module).exports as KernelExports);
  } catch {
    return undefined;
  }
}
