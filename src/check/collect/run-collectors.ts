/**
 * Runs collectors in their declared order over one snapshot. Each gets its time limit: past it,
 * its family is recorded as unknown with the reason, and whatever it later finds is dropped. A
 * collector needing a port the snapshot lacks is skipped, and the snapshot's own reason for the
 * missing port is recorded. Collector errors (port failures) propagate.
 *
 * Source: https://docs.velociraptor.app/docs/vql/artifacts/ (artifacts with declared sources and
 * per-query timeouts).
 */
import type { ConnectorKnowledge } from "../../knowledge/index.js";
import type { Snapshot } from "../../ports/snapshot.js";
import { PORT_FACT, type Collected, type Collection, type Collector, type PortName } from "./collector.js";

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

/** `work`, or {@link TIMED_OUT} when it takes longer than `ms`; a late rejection is swallowed. */
async function withTimeLimit<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** The ports of `needs` the snapshot does not have. */
function missingPorts(snapshot: Snapshot, needs: readonly PortName[]): PortName[] {
  return needs.filter((p) => snapshot[p] === undefined);
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
  const run: CollectorRun = { collected: {}, unknown: {}, triage: [], outcomes: [] };
  const scale = options.timeLimitScale ?? 1;
  for (const c of collectors) {
    const missing = missingPorts(snapshot, c.needs);
    if (missing.length > 0) {
      for (const p of missing) {
        const key = PORT_FACT[p];
        run.unknown[key] ??= snapshot.unknown[key] ?? `this snapshot has no ${p} port`;
      }
      run.outcomes.push({ name: c.name, outcome: "skipped" });
      continue;
    }
    const context = { knowledge: options.knowledge, collected: run.collected };
    const limitMs = c.timeLimitMs * scale;
    const result: Collection | typeof TIMED_OUT = await withTimeLimit(c.collect(snapshot, context), limitMs);
    if (result === TIMED_OUT) {
      run.unknown[c.name] =
        `not collected: the ${c.name} collector took longer than its ${Math.round(limitMs)} ms limit`;
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
