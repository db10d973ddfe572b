/**
 * Runs collectors in their declared order over one snapshot. Each gets its time limit: past it,
 * its work is aborted (its snapshot refuses further port calls), the facts it provides are
 * recorded as not collected with the reason, and whatever it later finds is dropped. A collector
 * needing a port the snapshot lacks is skipped, and the snapshot's own reason for the missing
 * port is recorded; one reading facts an earlier collector did not collect is skipped too.
 * Collector errors (port failures) propagate.
 *
 * Source: https://docs.velociraptor.app/docs/vql/artifacts/ (artifacts with declared sources and
 * per-query timeouts).
 */
import type { ConnectorKnowledge } from "../../knowledge/index.js";
import type { Snapshot } from "../../ports/snapshot.js";
import { PORT_FACT, type Collected, type Collection, type Collector, type FactKey } from "./collector.js";

/** A PE file a collector asked to triage. */
export interface TriageRequest {
  /** Snapshot path (Windows path). */
  path: string;
  /** The collector that asked. */
  collector: string;
}

/** What a run of the collectors found. */
export interface CollectorRun {
  collected: Partial<Collected>;
  /** Facts not seen, with the reason, in collector order (snapshot reasons not repeated unless a collector was skipped). */
  unknown: Record<string, string>;
  /** Facts whose collector timed out or was skipped, with the reason (see `MachineFacts.notCollected`). */
  notCollected: Partial<Record<FactKey, string>>;
  /** PE files to triage, in collector order. */
  triage: TriageRequest[];
  /** How each collector ended. */
  outcomes: Array<{ name: string; outcome: "done" | "skipped" | "timed-out" }>;
}

/** Options of {@link runCollectors}. */
export interface RunCollectorsOptions {
  knowledge: ConnectorKnowledge;
  /** Multiplies every time limit (tests use a small factor to provoke timeouts). Default 1. */
  timeLimitScale?: number;
}

const TIMED_OUT = Symbol("timed-out");

/**
 * `work`, or {@link TIMED_OUT} when it takes longer than `ms`, `abort` then being aborted. A late
 * rejection is swallowed and never waited for; the timer is cleared either way, so an abandoned
 * collector keeps nothing alive but its own pending I/O.
 */
async function withTimeLimit<T>(
  work: Promise<T>,
  ms: number,
  abort: AbortController,
): Promise<T | typeof TIMED_OUT> {
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => {
      abort.abort(new Error(`time limit of ${Math.round(ms)} ms passed`));
      resolve(TIMED_OUT);
    }, ms);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** `port` with every method refusing (rejecting or throwing) once `signal` is aborted. */
function guardPort<P extends object>(port: P, signal: AbortSignal): P {
  return new Proxy(port, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]): unknown => {
        signal.throwIfAborted();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** `snapshot` whose ports make no call once `signal` is aborted: abandoned work stops at its next read. */
function guardSnapshot(snapshot: Snapshot, signal: AbortSignal): Snapshot {
  const guard = <P extends object>(port: P | undefined) => port && guardPort(port, signal);
  return {
    ...snapshot,
    fs: guardPort(snapshot.fs, signal),
    registry: guardPort(snapshot.registry, signal),
    processes: guard(snapshot.processes),
    network: guard(snapshot.network),
    eventLog: guard(snapshot.eventLog),
    disk: guard(snapshot.disk),
  };
}

/** Records every fact `c` provides as not collected (the first reason given for a fact stands). */
function markNotCollected(run: CollectorRun, provides: readonly FactKey[], reason: string): void {
  for (const key of provides) run.notCollected[key] ??= reason;
}

/**
 * Why `c` cannot run, recorded in `run`, or `false` when it can: a port the snapshot lacks (its
 * reason recorded under the port's fact, as the snapshot gives it; the facts that port alone
 * carries stay `undefined`, every other fact `c` provides is not collected), or a fact it reads
 * that was not collected.
 */
function skipped(snapshot: Snapshot, c: Collector, run: CollectorRun): boolean {
  const missing = c.needs.filter((p) => snapshot[p] === undefined);
  if (missing.length > 0) {
    const reasons = missing.map((p) => {
      const key = PORT_FACT[p];
      return (run.unknown[key] ??= snapshot.unknown[key] ?? `this snapshot has no ${p} port`);
    });
    const portFacts = new Set<string>(missing.map((p) => PORT_FACT[p]));
    const reason = `the ${c.name} collector was skipped: ${reasons.join("; ")}`;
    markNotCollected(
      run,
      c.provides.filter((k) => !portFacts.has(k)),
      reason,
    );
    return true;
  }
  const unread = (c.reads ?? []).find((k) => run.notCollected[k] !== undefined);
  if (unread === undefined) return false;
  const reason = `the ${c.name} collector was skipped: it reads ${unread}, which was not collected (${run.notCollected[unread]})`;
  run.unknown[c.name] = `not collected: ${reason}`;
  markNotCollected(run, c.provides, reason);
  return true;
}

/**
 * Runs `collectors` in order over `snapshot`.
 * @throws whatever a collector throws (port failures); a timeout is not an error.
 */
export async function runCollectors(
  snapshot: Snapshot,
  collectors: readonly Collector[],
  options: RunCollectorsOptions,
): Promise<CollectorRun> {
  const run: CollectorRun = { collected: {}, unknown: {}, notCollected: {}, triage: [], outcomes: [] };
  const scale = options.timeLimitScale ?? 1;
  for (const c of collectors) {
    if (skipped(snapshot, c, run)) {
      run.outcomes.push({ name: c.name, outcome: "skipped" });
      continue;
    }
    const abort = new AbortController();
    const context = { knowledge: options.knowledge, collected: run.collected, signal: abort.signal };
    const limitMs = c.timeLimitMs * scale;
    const work = c.collect(guardSnapshot(snapshot, abort.signal), context);
    const result: Collection | typeof TIMED_OUT = await withTimeLimit(work, limitMs, abort);
    if (result === TIMED_OUT) {
      const reason = `the ${c.name} collector took longer than its ${Math.round(limitMs)} ms limit`;
      run.unknown[c.name] = `not collected: ${reason}`;
      markNotCollected(run, c.provides, reason);
      run.outcomes.push({ name: c.name, outcome: "timed-out" });
      continue;
    }
    Object.assign(run.collected, result.facts);
    Object.assign(run.unknown, result.unknown);
    for (const path of result.triage ?? []) run.triage.push({ path, collector: c.name });
    run.outcomes.push({ name: c.name, outcome: "done" });
  }
  return run;
}
