/**
 * Truncation test: every PE under fixtures/pe/ (whatever exists at test time) and a synthetic
 * kitchen-sink PE from helpers/build-pe.ts (so the test never runs on nothing) is cut at every
 * byte offset (files ≤ 64 KiB), or at every offset in the first 4 KiB plus a stride (larger
 * files), and parsed in permissive and strict mode. Only PeFormatError may escape. Hard safety
 * caps: each file's total stays under 60 s of CPU time (process.cpuUsage; a generous guard against
 * a runaway loop, not a timing goal: those live in bench/; wall time is reported), and the process
 * RSS under 512 MB.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { PeFormatError, parsePe } from "../../src/pe/index.js";
import { buildKitchenSinkPe } from "./helpers/build-pe.js";
import { peFixtureFiles } from "./helpers/paths.js";

const SMALL_FILE = 64 * 1024;
const HEAD = 4096;
/** Strided cut points for large files (beyond the first 4 KiB). */
const STRIDE_POINTS = 256;
/** A runaway guard, not a timing goal (timing goals live in bench/, as ratios). */
const MAX_MS_PER_FILE = 60_000;
const MAX_RSS = 512 * 1024 * 1024;

/** Cut points: all offsets for small files, else the first 4 KiB plus a stride to the end. */
export function cutPoints(size: number): number[] {
  if (size <= SMALL_FILE) return Array.from({ length: size + 1 }, (_, i) => i);
  const points = Array.from({ length: HEAD }, (_, i) => i);
  const stride = Math.max(1, Math.floor((size - HEAD) / STRIDE_POINTS));
  for (let p = HEAD; p < size; p += stride) points.push(p);
  points.push(size - 1, size);
  return points;
}

function subjects(): { name: string; bytes: Uint8Array }[] {
  const list = [
    { name: "synthetic PE32+ (build-pe.ts)", bytes: buildKitchenSinkPe("PE32+").bytes },
    { name: "synthetic PE32 (build-pe.ts)", bytes: buildKitchenSinkPe("PE32").bytes },
  ];
  for (const p of peFixtureFiles())
    list.push({ name: `fixtures/pe/${path.basename(p)}`, bytes: readFileSync(p) });
  return list;
}

describe("truncation at every offset: only PeFormatError escapes", () => {
  let peakRss = 0;
  for (const subject of subjects()) {
    it(`${subject.name} (${subject.bytes.length} bytes)`, (t) => {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const points = cutPoints(subject.bytes.length);
      const codes = new Map<string, number>();
      let parsed = 0;
      for (const cut of points) {
        const bytes = subject.bytes.subarray(0, cut);
        for (const mode of ["permissive", "strict"] as const) {
          try {
            parsePe(bytes, { mode });
            parsed++;
          } catch (error) {
            if (!(error instanceof PeFormatError)) {
              assert.fail(
                `cut at ${cut} (${mode}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
              );
            }
            codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
          }
        }
      }
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const ms = (cpu.user + cpu.system) / 1000;
      const rss = process.memoryUsage().rss;
      peakRss = Math.max(peakRss, rss);
      t.diagnostic(
        `${points.length} cuts × 2 modes in ${ms.toFixed(0)} ms CPU (${wallMs.toFixed(0)} ms wall); ${parsed} parsed; errors ${JSON.stringify(Object.fromEntries(codes))}; rss ${(rss / 2 ** 20).toFixed(0)} MB`,
      );
      assert.ok(ms < MAX_MS_PER_FILE, `took ${ms.toFixed(0)} ms of CPU`);
      assert.ok(rss < MAX_RSS, `rss ${rss}`);
      // The full file parses permissively, so at least the last cut succeeded.
      assert.ok(parsed > 0);
      assert.ok((codes.get("truncated") ?? 0) > 0, "short cuts must report truncation");
    });
  }
  it("peak RSS stayed under 512 MB", () => {
    assert.ok(peakRss > 0 && peakRss < MAX_RSS, `peak rss ${peakRss}`);
  });
});
