/**
 * The one walk over a PE file's bytes: the file is read once, in order, in chunks small enough to
 * stay in the CPU cache, and each chunk is handed to every consumer while it is there: the
 * caller's digests (triage's file sha256), the loader checksum, and the byte histograms of the
 * ranges whose entropy is wanted (each section's raw data, the overlay). Three walks over a file
 * of several MiB read it from memory three times; this one reads it once.
 *
 * Cost: linear in the file's size plus, per chunk, the ranges that cover it (ranges are swept in
 * order of their start, so a range is visited only by the chunks it overlaps).
 *
 * Source: PE/COFF specification, optional header "CheckSum"
 * (https://learn.microsoft.com/en-us/windows/win32/debug/pe-format); docs/architecture.md
 * ("Triage throughput").
 */
import { byteKernel, createByteKernel, KERNEL_CHUNK_BYTES } from "./byte-kernels.js";
import { PeChecksumAccumulator } from "./checksum.js";
import { entropyOfHistogram } from "./entropy.js";

/** A consumer of the file's bytes, fed every byte once, in order (a `node:crypto` Hash is one). */
export interface ByteSink {
  update(chunk: Uint8Array): unknown;
}

/** Bytes per chunk: a multiple of 4 (the checksum's words), small enough for the L2 cache. */
export const WALK_CHUNK_BYTES = KERNEL_CHUNK_BYTES;

/** A `[start, end)` run of file offsets. */
export interface ByteRun {
  start: number;
  end: number;
}

/** What {@link walkFileBytes} computes. */
export interface ByteWalk {
  /** Per group of runs, the entropy of their bytes together (bits per byte), and how many bytes. */
  groups: Array<{ entropy: number; size: number }>;
  /** The loader checksum (CheckSum field treated as zero), as `computePeChecksum` gives it. */
  checksum: number;
}

/** True while a walk is under way on this thread (see the nested-walk note in walkFileBytes). */
let walking = false;

interface Pending extends ByteRun {
  group: number;
}

/**
 * Walks `bytes` once. The counting and summing run in {@link byteKernel} (WebAssembly where
 * the runtime has it).
 * @param groups - runs whose histogram is wanted, grouped (a section: one run; the overlay: the
 *   runs around the certificate table); runs are clipped to the file.
 * @param checkSumOffset - file offset of the CheckSum field, treated as zero.
 * @param sinks - fed every chunk of the file, in order.
 */
export function walkFileBytes(
  bytes: Uint8Array,
  groups: ReadonlyArray<readonly ByteRun[]>,
  checkSumOffset: number,
  sinks: readonly ByteSink[] = [],
): ByteWalk {
  const n = bytes.length;
  const histograms = groups.map(() => new Uint32Array(256));
  const sizes = groups.map(() => 0);
  const runs: Pending[] = groups
    .flatMap((g, group) => g.map((r) => ({ start: Math.max(0, r.start), end: Math.min(n, r.end), group })))
    .filter((r) => r.start < r.end)
    .sort((a, b) => a.start - b.start);
  const checksum = new PeChecksumAccumulator(checkSumOffset);
  // A sink may itself walk a file (parsePe's digests take any ByteSink): that walk gets a kernel
  // of its own, so it cannot replace the chunk this one has loaded.
  const nested = walking;
  const kernel = nested ? (createByteKernel("wasm") ?? createByteKernel("js")!) : byteKernel();
  // The JavaScript kernel's word sum adds nothing to the accumulator's own (four-sum) loop.
  const sumLoadedWords =
    kernel.kind === "wasm" ? (from: number, to: number) => kernel.sumWords(from, to) : undefined;
  let nextRun = 0;
  const active: Pending[] = [];
  walking = true;
  try {
    for (let at = 0; at < n; at += WALK_CHUNK_BYTES) {
      const end = Math.min(n, at + WALK_CHUNK_BYTES);
      const chunk = bytes.subarray(at, end);
      for (const sink of sinks) sink.update(chunk);
      // After the sinks: the checksum and the counts see the chunk as the sinks left it.
      kernel.load(chunk);
      checksum.add(chunk, sumLoadedWords);
      while (nextRun < runs.length && runs[nextRun]!.start < end) active.push(runs[nextRun++]!);
      let kept = 0;
      for (const r of active) {
        const from = Math.max(r.start, at);
        const to = Math.min(r.end, end);
        if (from < to) {
          kernel.addToHistogram(histograms[r.group]!, from - at, to - at);
          sizes[r.group]! += to - from;
        }
        if (r.end > end) active[kept++] = r;
      }
      active.length = kept;
    }
  } finally {
    kernel.flush();
    walking = nested;
  }
  return {
    groups: histograms.map((h, i) => ({ entropy: entropyOfHistogram(h, sizes[i]!), size: sizes[i]! })),
    checksum: checksum.value(),
  };
}
