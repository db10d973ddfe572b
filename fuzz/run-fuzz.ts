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
  /** Sum of the cases' run times, in ms (mean = totalMs / cases). */
  totalMs: number;
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
  /** Cases over the time limit in the run but not when run again alone (machine load). */
  slowUnconfirmed: Array<{ target: string; index: number; ms: number; aloneMs: number }>;
  /** Slow cases beyond the re-check cap (not re-run, not failed). */
  slowUnconfirmedDropped: number;
  peakRssBytes: number;
  elapsedMs: number;
}

/** How long a worker may take to load its targets' seeds and warm up. */
const PREPARE_MS = 180_000;
/** Slow cases re-run alone at most. */
const MAX_RECHECKS = 100;

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
    slowUnconfirmed: [],
    slowUnconfirmedDropped: 0,
    peakRssBytes: 0,
    elapsedMs: 0,
  };
  const tally = (t: string): TargetTally =>
    (report.perTarget[t] ??= { cases: 0, ok: 0, typed: {}, untyped: 0, slow: 0, totalMs: 0 });
  const fail = (c: CaseOutcome, reason: FuzzReport["failures"][number]["reason"]) => {
    report.failureCount++;
    if (report.failures.length < 50)
      report.failures.push({ ...c, reason, reproduce: reproducer(o.seed, c.target, c.index) });
  };
  const record = (c: CaseOutcome) => {
    const t = tally(c.target);
    report.cases++;
    t.cases++;
    t.totalMs += c.ms;
    if (c.kind === "ok") t.ok++;
    else if (c.kind === "typed") t.typed[c.code!] = (t.typed[c.code!] ?? 0) + 1;
    else {
      t.untyped++;
      fail(c, "untyped");
    }
    if (c.ms > o.timeLimitMs) slowCandidates.push(c);
    if (!report.slowest || c.ms > report.slowest.ms)
      report.slowest = {
        target: c.target,
        index: c.index,
        ms: c.ms,
        reproduce: reproducer(o.seed, c.target, c.index),
      };
    if (o.onProgress && report.cases % 1000 === 0) o.onProgress(report.cases, total);
  };
  const slowCandidates: CaseOutcome[] = [];
  const total = o.only === undefined ? o.cases : 1;
  const jobs = o.only === undefined ? Math.max(1, Math.min(o.jobs, o.cases)) : 1;
  const sampleRss = () => {
    report.peakRssBytes = Math.max(report.peakRssBytes, process.resourceUsage().maxRSS * 1024);
  };

  /** A failure outside any case (loading targets or seeds, warming up): a harness defect. */
  const harnessFailure = (error: string) => {
    report.failureCount++;
    report.failures.push({
      target: "(harness)",
      index: -1,
      kind: "untyped",
      error,
      ms: 0,
      size: -1,
      reason: "crash",
      reproduce: "",
    });
  };
  /** Ends case `c` as a hang or crash of its worker. */
  const lost = (
    c: { target: string; index: number; since: number },
    reason: "hang" | "crash",
    error: string,
  ) => {
    const t = tally(c.target);
    t.cases++;
    t.untyped++;
    if (reason === "hang") t.slow++;
    report.cases++;
    fail(
      { target: c.target, index: c.index, kind: "untyped", error, ms: performance.now() - c.since, size: -1 },
      reason,
    );
  };

  /**
   * Runs cases first, first+stride, … below end in one worker; after a hang or a crash the worker
   * is replaced and the lane goes on with the next case. `onCase` sees every completed case.
   */
  const lane = (
    first: number,
    stride: number,
    end: number,
    onCase: (c: CaseOutcome) => void,
  ): Promise<void> =>
    new Promise((resolve) => {
      let noWarmUp = false;
      const start = (from: number) => {
        if (from >= end) return resolve();
        const plan: WorkerPlan = {
          seed: o.seed,
          targetModules: o.targetModules,
          cycle: o.cycle,
          first: from,
          stride,
          end,
          noWarmUp,
        };
        const worker = new Worker(new URL("./worker.js", import.meta.url), {
          workerData: plan,
          resourceLimits: { maxOldGenerationSizeMb: o.heapMb ?? 1024 },
          stdout: false,
          stderr: false,
        });
        const spawned = performance.now();
        let ready = false;
        let warming: { target: string; since: number } | undefined;
        let current: { target: string; index: number; since: number } | undefined;
        let ended = false;
        /** Stops watching this worker once; `next` continues the lane (or ends it). */
        const finish = (next: () => void) => {
          if (ended) return;
          ended = true;
          clearInterval(watchdog);
          void worker.terminate();
          next();
        };
        const watchdog = setInterval(() => {
          sampleRss();
          const c = current;
          const w = warming;
          if (w && performance.now() - w.since > o.hangMs)
            // The warm-up run (a seed) hung: go on without warm-ups; the cases will show the hang.
            finish(() => {
              noWarmUp = true;
              start(from);
            });
          else if (c && performance.now() - c.since > o.hangMs)
            finish(() => {
              lost(c, "hang", `hang: still running after ${o.hangMs} ms (worker terminated)`);
              start(c.index + stride);
            });
          else if (!ready && performance.now() - spawned > PREPARE_MS)
            finish(() => {
              harnessFailure(`targets not ready after ${PREPARE_MS} ms (seeds or warm-up hang)`);
              resolve();
            });
        }, 100);
        worker.on("message", (m: WorkerMessage) => {
          if (m.type === "warm-up") warming = { target: m.target, since: performance.now() };
          else if (m.type === "ready") {
            ready = true;
            warming = undefined;
          } else if (m.type === "start")
            current = { target: m.target, index: m.index, since: performance.now() };
          else if (m.type === "done") {
            current = undefined;
            const { type: _type, ...outcome } = m;
            onCase(outcome);
          } else finish(() => resolve());
        });
        const died = (why: string) => {
          const c = current;
          finish(() => {
            if (!c) {
              harnessFailure(why);
              return resolve();
            }
            lost(c, "crash", why);
            start(c.index + stride);
          });
        };
        worker.on("error", (e: Error) => died(`worker died: ${e.stack ?? e.message}`));
        // A worker whose event loop empties mid-case awaited a promise that never settles.
        worker.on("exit", (code) =>
          died(`worker exited (code ${code}) before finishing: a promise that never settles?`),
        );
      };
      start(first);
    });

  try {
    if (o.only !== undefined) await lane(o.only, 1, o.only + 1, record);
    else await Promise.all(Array.from({ length: jobs }, (_, j) => lane(j, jobs, o.cases, record)));
    // A case over the limit in a busy run is run again alone: only a repeat over the limit fails.
    for (const c of slowCandidates.splice(0, MAX_RECHECKS)) {
      let again: CaseOutcome | undefined;
      await lane(c.index, 1, c.index + 1, (x) => (again = x));
      if (again === undefined) continue; // hung or crashed again: already reported by the lane
      if (again.ms > o.timeLimitMs) {
        tally(c.target).slow++;
        fail({ ...c, error: `${c.ms.toFixed(0)} ms in the run, ${again.ms.toFixed(0)} ms alone` }, "slow");
      } else report.slowUnconfirmed.push({ target: c.target, index: c.index, ms: c.ms, aloneMs: again.ms });
    }
    report.slowUnconfirmedDropped = slowCandidates.length;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    if (previousScratch === undefined) delete process.env["KOFF_FUZZ_TMP"];
    else process.env["KOFF_FUZZ_TMP"] = previousScratch;
  }
  sampleRss();
  report.elapsedMs = performance.now() - t0;
  return report;
}
