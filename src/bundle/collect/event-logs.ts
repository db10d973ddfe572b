/**
 * Bundle member `events/records.json` (image and live sources): the relevant event-log records
 * (src/check/relevant-events.ts), read through the source's event-log port with the same
 * queries `check` uses, so `check --bundle` replays exactly what `check` saw; never whole
 * `.evtx` files. At most `maxEvents` records per log, the newest. Every string is redacted
 * before it is serialized.
 *
 * Source: docs/bundle.md ("Layout", "Event logs").
 */
import { relevantEventLogs } from "../../check/relevant-events.js";
import type { ConnectorKnowledge } from "../../knowledge/index.js";
import type { EventRecord } from "../../ports/system.js";
import type { Snapshot } from "../../ports/snapshot.js";
import { MEMBER } from "../layout.js";
import type { BundleMembers } from "./bundle-members.js";

/** The records read from one event log. */
export interface EventLogExtract {
  log: string;
  records: EventRecord[];
}

/** The `events/records.json` document. */
export interface EventRecordsMember {
  schemaVersion: 1;
  logs: EventLogExtract[];
}

/**
 * Reads the relevant records of each log through `source.eventLog`; none when the snapshot has
 * no event-log port. A log the port cannot read is left out with a note, not a failed collect.
 */
export async function readEventLogs(
  source: Snapshot,
  knowledge: ConnectorKnowledge,
  maxEvents: number,
  notes: string[],
): Promise<EventLogExtract[]> {
  const events: EventLogExtract[] = [];
  if (!source.eventLog) return events;
  for (const { log, query } of relevantEventLogs(knowledge, maxEvents)) {
    try {
      // `accept` is a function: the records carried are plain data.
      events.push({ log, records: await source.eventLog.query(log, query) });
    } catch (e) {
      notes.push(`${MEMBER.events}: ${log} omitted: ${(e as Error).message}`);
    }
  }
  return events;
}

/** Writes `events/records.json` when any log was read. Reads no port. */
export function writeEventMembers(out: BundleMembers, events: readonly EventLogExtract[]): void {
  if (events.length === 0) return;
  out.putJson(MEMBER.events, { schemaVersion: 1, logs: [...events] } satisfies EventRecordsMember);
}
