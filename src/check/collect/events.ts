/**
 * Collector `events`: the event-log records that bear on the connector (src/check/relevant-events.ts
 * says which, and what each means), read through the snapshot's event-log port: `.evtx` files
 * in image mode, `wevtutil` live, the carried records in a bundle. A log that cannot be read is
 * noted; when none can, the fact is unknown with the reason, said once.
 *
 * Source: docs/evtx.md ("Events koff-doctor reads"); the meanings' sources are in relevant-events.ts.
 */
import type { EventFact } from "../facts.js";
import { classifyEvent, relevantEventLogs } from "../relevant-events.js";
import { defineCollector } from "./collector.js";

/** Relevant records kept per log, the newest. */
export const EVENTS_KEPT_PER_LOG = 200;

/** Reads the relevant records of each log (see the module comment); facts `events`, newest first. */
export const eventsCollector = defineCollector({
  name: "events",
  needs: ["eventLog"],
  provides: ["events"],
  timeLimitMs: 300_000,
  async collect(snapshot, { knowledge: k }) {
    const events: EventFact[] = [];
    const failures = new Map<string, string[]>();
    const logs = relevantEventLogs(k, EVENTS_KEPT_PER_LOG);
    for (const { log, query } of logs) {
      try {
        for (const r of await snapshot.eventLog!.query(log, query)) {
          const fact = classifyEvent(r, k);
          if (fact) events.push(fact);
        }
      } catch (e) {
        const why = `could not be read: ${(e as Error).message}`;
        failures.set(why, [...(failures.get(why) ?? []), log]);
      }
    }
    events.sort(
      (a, b) => Date.parse(b.time) - Date.parse(a.time) || (b.recordNumber ?? 0) - (a.recordNumber ?? 0),
    );
    const reasons = [...failures.keys()].join("; ");
    if (failures.size > 0 && [...failures.values()].flat().length === logs.length)
      return { facts: {}, unknown: { events: reasons } };
    const unknown: Record<string, string> = {};
    for (const [why, which] of failures) unknown[`events (${which.join(", ")})`] = why;
    return { facts: { events }, unknown };
  },
});
