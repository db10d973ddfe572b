/**
 * The one walk over a file's bytes (src/pe/byte-walk.ts) gives what separate walks give: the
 * digest of every byte, the loader checksum, the entropy of each group of runs, whatever the
 * runs' order, overlaps and places against chunk boundaries; and parsePe feeds its digests the
 * whole file.
 */
import { createHash, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  computePeChecksum,
  parsePe,
  PeChecksumAccumulator,
  shannonEntropy,
  walkFileBytes,
  WALK_CHUNK_BYTES,
} from "../../src/pe/index.js";
import { buildKitchenSinkPe } from "./helpers/build-pe.js";

/** Deterministic pseudo-random integers (a test must not depend on luck). */
function lcg(seed: number): (below: number) => number {
  let x = seed >>> 0;
  return (below) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % below;
  };
}

/** Low-entropy data with a random tail, so entropies differ between runs. */
function sample(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = i % 7 === 0 ? i & 0xff : i % 3;
  bytes.set(randomBytes(Math.min(length, 5000)), Math.max(0, length - 5000));
  return bytes;
}

describe("walkFileBytes: one walk equals the separate walks", () => {
  it("digest, checksum and per-group entropy on runs across chunk boundaries, overlapping and unsorted", () => {
    const next = lcg(12);
    for (const length of [0, 3, 1000, WALK_CHUNK_BYTES, WALK_CHUNK_BYTES + 1, 3 * WALK_CHUNK_BYTES + 7]) {
      const bytes = sample(length);
      const groups = Array.from({ length: 6 }, () =>
        Array.from({ length: 1 + next(2) }, () => {
          const start = next(length + 10);
          return { start, end: start + next(2 * WALK_CHUNK_BYTES) };
        }),
      );
      groups.push([{ start: length + 5, end: length + 50 }], []);
      const checkSumOffset = length > 200 ? 152 : -1;
      const hash = createHash("sha256");
      const walk = walkFileBytes(bytes, groups, checkSumOffset, [hash]);
      assert.equal(hash.digest("hex"), createHash("sha256").update(bytes).digest("hex"), `length ${length}`);
      assert.equal(walk.checksum, computePeChecksum(bytes, checkSumOffset), `length ${length}`);
      for (const [i, g] of groups.entries()) {
        const parts = g.map((r) => bytes.subarray(Math.max(0, r.start), Math.min(length, r.end)));
        const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of parts) joined.set(p, (at += p.length) - p.length);
        assert.equal(walk.groups[i]!.size, joined.length, `length ${length} group ${i}`);
        assert.ok(
          Math.abs(walk.groups[i]!.entropy - shannonEntropy(joined)) < 1e-12,
          `length ${length} group ${i}`,
        );
      }
    }
  });

  it("a walk started by a sink of another walk (parsePe's digests take any sink) leaves the outer walk's results exact", () => {
    const outer = sample(300_000);
    const inner = sample(200_000);
    const runs = [[{ start: 0, end: outer.length }], [{ start: 1000, end: 150_000 }]];
    const alone = walkFileBytes(outer, runs, 152);
    let calls = 0;
    let innerWalk: ReturnType<typeof walkFileBytes> | undefined;
    const meddler = {
      update: () => {
        if (++calls === 2) innerWalk = walkFileBytes(inner, [[{ start: 0, end: inner.length }]], 200);
      },
    };
    assert.deepEqual(walkFileBytes(outer, runs, 152, [meddler]), alone);
    assert.equal(innerWalk?.checksum, computePeChecksum(inner, 200));
    assert.ok(Math.abs(innerWalk!.groups[0]!.entropy - shannonEntropy(inner)) < 1e-12);
  });

  it("many short runs (a section table of 96 small sections) count as one long run does", () => {
    const bytes = sample(96 * 640 + 1024);
    const groups = Array.from({ length: 96 }, (_, i) => [
      { start: 1024 + i * 640, end: 1024 + (i + 1) * 640 },
    ]);
    const walk = walkFileBytes(bytes, groups, 152);
    for (const [i, g] of groups.entries())
      assert.ok(
        Math.abs(walk.groups[i]!.entropy - shannonEntropy(bytes.subarray(g[0]!.start, g[0]!.end))) < 1e-12,
        `section ${i}`,
      );
  });

  it("PeChecksumAccumulator: chunks of any multiple of 4 give the one-shot checksum; a chunk after the tail is refused", () => {
    const bytes = sample(10_003);
    for (const size of [4, 64, 4096, 10_000]) {
      const sum = new PeChecksumAccumulator(216);
      for (let at = 0; at < bytes.length; at += size) sum.add(bytes.subarray(at, at + size));
      assert.equal(sum.value(), computePeChecksum(bytes, 216), `chunks of ${size}`);
    }
    const sum = new PeChecksumAccumulator(0);
    sum.add(bytes.subarray(0, 3));
    assert.throws(() => sum.add(bytes.subarray(3, 8)), RangeError);
  });
});

describe("parsePe: the walk feeds the caller's digests", () => {
  it("a digest passed to parsePe is the sha256 of the whole file; checksum and entropies are unchanged", () => {
    const { bytes } = buildKitchenSinkPe();
    const hash = createHash("sha256");
    const pe = parsePe(bytes, { digests: [hash] });
    assert.equal(hash.digest("hex"), createHash("sha256").update(bytes).digest("hex"));
    assert.equal(pe.computedCheckSum, computePeChecksum(bytes, pe.optionalHeader.checkSumOffset));
    for (const s of pe.sections) {
      const raw = bytes.subarray(s.rawDataOffset!, s.rawDataOffset! + s.rawDataSizeInFile!);
      assert.equal(s.entropy, shannonEntropy(raw), s.name);
    }
  });
});
