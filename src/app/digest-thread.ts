/**
 * The second thread of a one-thread `triage -r` (src/util/sha256-thread.ts): for each file the
 * main thread reads, it searches the mapped bytes for the watched API names
 * (src/triage/dynamic-imports.ts, the segments read from the file's own headers), then computes
 * the file's sha256, while the main thread parses the file, walks its bytes, verifies its
 * signature and judges it. The search is taken back when the dynamic-imports indicator is
 * judged (and made again inline when its segments are not the parse's), the digest once the
 * next file is read (src/triage/triage-snapshot-files.ts), so that the thread hashes a file
 * while the main thread reads the next. The thread runs the program the triage workers run (src/app/triage-pool.ts
 * `workerEntry`: the bin bundle, or the single executable's), which calls {@link runDigestThread}.
 *
 * Source: docs/architecture.md ("Triage throughput").
 */
import { findWatchedNamesInFile, type MappedSegment, type WatchedNames } from "../triage/dynamic-imports.js";
import type { FileDigester } from "../triage/triage-snapshot-files.js";
import { runSha256Thread, Sha256Thread, type Sha256ThreadData } from "../util/sha256-thread.js";
import { workerEntry } from "./worker-entry.js";

/**
 * {@link WatchedNames} as numbers: the segment count, each segment's RVA, offset and length,
 * then the offset per needle (all below 2^32, exact in a double).
 */
export function encodeWatchedNames(found: WatchedNames | undefined): Float64Array | undefined {
  if (found === undefined) return undefined;
  const { segments, firstOffsets } = found;
  const out = new Float64Array(1 + 3 * segments.length + firstOffsets.length);
  out[0] = segments.length;
  segments.forEach((s, i) => out.set([s.rva, s.offset, s.length], 1 + 3 * i));
  out.set(firstOffsets, 1 + 3 * segments.length);
  return out;
}

/** The inverse of {@link encodeWatchedNames}; `undefined` for anything it did not write. */
export function decodeWatchedNames(numbers: Float64Array | undefined): WatchedNames | undefined {
  if (numbers === undefined || numbers.length < 1) return undefined;
  const count = numbers[0]!;
  const rest = 1 + 3 * count;
  if (!Number.isSafeInteger(count) || count < 0 || rest > numbers.length) return undefined;
  const segments: MappedSegment[] = [];
  for (let i = 0; i < count; i++) {
    const at = 1 + 3 * i;
    segments.push({ rva: numbers[at]!, offset: numbers[at + 1]!, length: numbers[at + 2]! });
  }
  return { segments, firstOffsets: Int32Array.from(numbers.subarray(rest)) };
}

/** The body of the digest thread (started with {@link Sha256ThreadData}). */
export function runDigestThread(data: Sha256ThreadData): void {
  runSha256Thread(data, (bytes) => encodeWatchedNames(findWatchedNamesInFile(bytes)));
}

/** A started digest thread: what triage hands files to, and how it is stopped. */
export interface DigestThread extends FileDigester {
  close(): void;
}

/**
 * Starts the digest thread from this build's worker program.
 * @returns `undefined` when this build or runtime cannot start one (files are then done inline).
 */
export function startDigestThread(): DigestThread | undefined {
  const entry = workerEntry();
  const thread = entry === undefined ? undefined : Sha256Thread.start(entry);
  if (thread === undefined) return undefined;
  return {
    scratches: thread.scratches,
    begin: (bytes) => {
      const pending = thread.begin(bytes);
      if (pending === undefined) return undefined;
      return {
        watchedNames: () => decodeWatchedNames(pending.extra()),
        sha256: () => pending.digest(),
      };
    },
    close: () => thread.close(),
  };
}
