/**
 * The fuzz run: spreads cases over worker threads, watches each case with a watchdog (a case
 * running past the hang limit is reported and its worker replaced, so an infinite loop ends the
 * case, not the run), tallies outcomes per target and error code, and tracks the slowest case
 * and the process's peak RSS.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { CaseOutcome } from "./engine.js";
import type { WorkerMessage, WorkerPlan } from "./worker.js";

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** Target names, in cycle order (a name may repeat to weight it). */
  cycle: string[];
  /** Modules (file URLs) exporting `FUZZ_TARGETS`. */
  targetModules: string[];
  /** A case slower than this (ms) is a failure. */
  timeLimitMs: number;
  /** A case still running after this (ms) is a hang: its worker is terminated. */
  hangMs: number;
  /** Worker threads. */
  jobs: number;
  /** Run only this case index (a reproducer). */
  only?: number;
  /** Called every `progressEvery` cases. */
  onProgress?: (done: number, total: number) => void;
  /** Old-generation heap cap per worker, in MiB (an unbounded allocation fails the case). */
  heapMb?: number;
}

export interface TargetTally {
  cases: number;
  ok: number;
  typed: Record<string, number>;
  untyped: number;
  slow: number;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  perTarget: Record<string, TargetTally>;
  /** Defects: untyped errors, hangs, worker crashes (first 50). */
  failures: Array<CaseOutcome & { reproduce: string; reason: "untyped" | "slow" | "hang" | "crash" }>;
  failureCount: number;
  slowest?: { target: string; index: number; ms: number; reproduce: string };
  /** Peak resident set size of the whole process (main + workers), in bytes. */
  peakRssBytes: number;
  elapsedMs: number;
}

export function reproducer(seed: number, target: string, index: number): string {
  return `npm run fuzz -- --seed ${seed} --target ${target} --case ${index}`;
}

/** Runs the cases; resolves with the report (never rejects for a failing case). */
export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const t0 = performance.now();
  const scratch = mkdtempSync(path.join(tmpdir(), "koff-fuzz-"));
  const previousScratch = process.env["KOFF_FUZZ_TMP"];
  process.env["KOFF_FUZZ_TMP"] = scratch;
  const report: FuzzReport = {
    seed: o.seed,
    cases: 0,
    perTarget: {},
    failures: [],
    failureCount: 0,
    peakRssBytes: 0,
    elapsedMs: 0,
  };
  const tally = (t: string): TargetTally =>
    (report.perTarget[t] ??= { cases: 0, ok: 0, typed: {}, untyped: 0, slow: 0 });
  const fail = (c: CaseOutcome, reason: FuzzReport["failures"][number]["reason"]) => {
    report.failureCount++;
    if (report.failures.length < 50)
      report.failures.push({ ...c, reason, reproduce: reproducer(o.seed, c.target, c.index) });
  };
  const record = (c: CaseOutcome) => {
    const t = tally(c.target);
    report.cases++;
    t.cases++;
    if (c.kind === "ok") t.ok++;
    else if (c.kind === "typed") t.typed[c.code!] = (t.typed[c.code!] ?? 0) + 1;
    else {
      t.untyped++;
      fail(c, "untyped");
    }
    if (c.ms > o.timeLimitMs) {
      t.slow++;
      fail(c, "slow");
    }
    if (!report.slowest || c.ms > report.slowest.ms)
      report.slowest = {
        target: c.target,
        index: c.index,
        ms: c.ms,
        reproduce: reproducer(o.seed, c.target, c.index),
      };
    if (o.onProgress && report.cases % 1000 === 0) o.onProgress(report.cases, total);
  };
  const total = o.only === undefined ? o.cases : 1;
  const jobs = o.only === undefined ? Math.max(1, Math.min(o.jobs, o.cases)) : 1;
  const sampleRss = () => {
    report.peakRssBytes = Math.max(report.peakRssBytes, process.resourceUsage().maxRSS * 1024);
  };

  /** Runs cases first, first+stride, … below end in one worker, replacing it after a hang or crash. */
  const lane = (first: number, stride: number, end: number): Promise<void> =>
    new Promise((resolve) => {
      const start = (from: number) => {
        if (from >= end) return resolve();
        const plan: WorkerPlan = {
          seed: o.seed,
          targetModules: o.targetModules,
          cycle: o.cycle,
          first: from,
          stride,
          end,
        };
        const worker = new Worker(new URL("./worker.js", import.meta.url), {
          workerData: plan,
          resourceLimits: { maxOldGenerationSizeMb: o.heapMb ?? 1024 },
          stdout: false,
          stderr: false,
        });
        let current: { target: string; index: number; since: number } | undefined;
        let ended = false;
        const end_ = (after: () => void) => {
          if (ended) return;
          ended = true;
          clearInterval(watchdog);
          after();
        };
        const watchdog = setInterval(() => {
          sampleRss();
          if (current && performance.now() - current.since > o.hangMs) {
            const c = current;
            end_(() => {
              void worker.terminate();
              const outcome: CaseOutcome = {
                target: c.target,
                index: c.index,
                kind: "untyped",
                error: `hang: still running after ${o.hangMs} ms (worker terminated)`,
                ms: performance.now() - c.since,
                size: -1,
              };
              tally(c.target).cases++;
              tally(c.target).slow++;
              report.cases++;
              fail(outcome, "hang");
              start(c.index + stride);
            });
          }
        }, 100);
        worker.on("message", (m: WorkerMessage) => {
          if (m.type === "start") current = { target: m.target, index: m.index, since: performance.now() };
          else if (m.type === "done") {
            current = undefined;
            const { type: _type, ...outcome } = m;
            record(outcome);
          } else end_(() => resolve());
        });
        worker.on("error", (e: Error) => {
          end_(() => {
            const c = current;
            if (!c) {
              // A failure outside any case (loading targets or seeds) is a harness defect.
              report.failureCount++;
              report.failures.push({
                target: "(harness)",
                index: -1,
                kind: "untyped",
                error: e.stack ?? e.message,
                ms: 0,
                size: -1,
                reason: "crash",
                reproduce: "",
              });
              return resolve();
            }
            tally(c.target).cases++;
            tally(c.target).untyped++;
            report.cases++;
            fail(
              {
                target: c.target,
                index: c.index,
                kind: "untyped",
                error: `worker died: ${e.stack ?? e.message}`,
                ms: performance.now() - c.since,
                size: -1,
              },
              "crash",
            );
            start(c.index + stride);
          });
        });
        worker.on("exit", () => end_(() => resolve()));
      };
      start(first);
    });

  try {
    if (o.only !== undefined) await lane(o.only, 1, o.only + 1);
    else await Promise.all(Array.from({ length: jobs }, (_, j) => lane(j, jobs, o.cases)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    if (previousScratch === undefined) delete process.env["KOFF_FUZZ_TMP"];
    else process.env["KOFF_FUZZ_TMP"] = previousScratch;
  }
  sampleRss();
  report.elapsedMs = performance.now() - t0;
  return report;
}
