/**
 * The check report's timeline: the last relevant event-log records (src/check/relevant-events.ts),
 * oldest first, so "Outlook crashes since the update on the 3rd" reads top to bottom. The
 * `timeline` of `check --json`, and the text and HTML reports' timeline section.
 *
 * Source: docs/json-contract.md ("timeline"); docs/evtx.md.
 */
import type { EventFact, MachineFacts } from "../check/facts.js";

/** Records shown by default. */
export const TIMELINE_LENGTH = 25;

/** One line of the timeline. */
export interface TimelineEntry {
  /** ISO 8601 UTC. */
  time: string;
  log: string;
  id: number;
  provider: string;
  kind: EventFact["kind"];
  summary: string;
}

/** The newest `length` relevant events of `facts`, oldest first; empty when none were read. */
export function eventTimeline(
  facts: Pick<MachineFacts, "events">,
  length = TIMELINE_LENGTH,
): TimelineEntry[] {
  const events = [...(facts.events ?? [])].sort(
    (a, b) => Date.parse(a.time) - Date.parse(b.time) || (a.recordNumber ?? 0) - (b.recordNumber ?? 0),
  );
  return events.slice(Math.max(0, events.length - length)).map((e) => ({
    time: e.time,
    log: e.log,
    id: e.id,
    provider: e.provider,
    kind: e.kind,
    summary: e.summary,
  }));
}
