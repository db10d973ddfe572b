/**
 * A thread program for test/util/sha256-thread.test.ts: runs src/util/sha256-thread.ts's loop
 * with a result that is easy to check (the byte count and the sum of the bytes), one that throws
 * (a file starting with 0xEE) and one too long to pass back (a file starting with 0xBB). Loaded
 * on a main thread (the test runner runs every file of dist/test), it does nothing.
 */
import { isMainThread, workerData } from "node:worker_threads";
import { EXTRA_CAPACITY, runSha256Thread, type Sha256ThreadData } from "../../src/util/sha256-thread.js";

if (!isMainThread)
  runSha256Thread(workerData as Sha256ThreadData, (bytes) => {
    if (bytes[0] === 0xee) throw new Error("boom");
    if (bytes[0] === 0xbb) return new Float64Array(EXTRA_CAPACITY + 1);
    let sum = 0;
    for (const b of bytes) sum += b;
    return Float64Array.of(bytes.length, sum);
  });
