/**
 * The fuzz worker thread: loads the targets, runs its share of the cases in order and posts
 * `start` before each case and `done` after it, so the main thread's watchdog knows which case
 * is running when a hang or a crash stops the worker.
 */
import { parentPort, workerData } from "node:worker_threads";
import { FuzzSession } from "./engine.js";
import type { FuzzTarget } from "./target.js";

/** What the main thread gives a worker. */
export interface WorkerPlan {
  seed: number;
  /** Modules (file URLs) whose `FUZZ_TARGETS` export lists the targets. */
  targetModules: string[];
  /** Target of case k: `cycle[k % cycle.length]`. */
  cycle: string[];
  /** Cases k = first, first + stride, … below `end`; or exactly `only` when given. */
  first: number;
  stride: number;
  end: number;
  /** Skip the warm-up runs (a previous worker's warm-up hung). */
  noWarmUp?: boolean;
}

export type WorkerMessage =
  | { type: "start"; target: string; index: number }
  | ({ type: "done" } & import("./engine.js").CaseOutcome)
  | { type: "warm-up"; target: string }
  | { type: "ready" }
  | { type: "finished" };

async function main(plan: WorkerPlan): Promise<void> {
  const targets: FuzzTarget[] = [];
  for (const m of plan.targetModules)
    targets.push(...((await import(m)) as { FUZZ_TARGETS: FuzzTarget[] }).FUZZ_TARGETS);
  const session = new FuzzSession(targets);
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  // Prepare only the targets this lane runs (a one-case lane: one target).
  const used = new Set<string>();
  for (let k = plan.first; k < plan.end && used.size < new Set(plan.cycle).size; k += plan.stride)
    used.add(plan.cycle[k % plan.cycle.length]!);
  for (const name of used) {
    post({ type: "warm-up", target: name });
    await session.prepare(name, !plan.noWarmUp);
  }
  post({ type: "ready" });
  for (let k = plan.first; k < plan.end; k += plan.stride) {
    const target = plan.cycle[k % plan.cycle.length]!;
    post({ type: "start", target, index: k });
    post({ type: "done", ...(await session.runCase(target, plan.seed, k)) });
  }
  post({ type: "finished" });
}

await main(workerData as WorkerPlan);
