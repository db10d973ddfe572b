/**
 * Bundle members `events/Application.xml` and `events/System.xml` (live sources only): the
 * records the snapshot's event-log port returns, as a small XML document in the shape of
 * `wevtutil qe /f:xml` output (`Event/System` and `EventData/Data`), so `check --bundle` replays
 * the event checks.
 *
 * Source: docs/bundle.md ("Layout"); Microsoft, "Event Schema"
 * (https://learn.microsoft.com/en-us/windows/win32/wes/eventschema-schema).
 */
import type { EventRecord } from "../../ports/system.js";
import type { Snapshot } from "../../ports/snapshot.js";
import type { BundleMembers } from "./bundle-members.js";

/** The event logs carried, in order. */
const EVENT_LOGS = ["Application", "System"] as const;

/** The records read from one event log. */
export interface EventLogExtract {
  log: string;
  records: EventRecord[];
}

/**
 * Reads the newest `maxEvents` records of each carried log through `source.eventLog`; none when
 * the snapshot has no event-log port (image, bundle). Writes no member. A log the port cannot
 * read (wevtutil refused) is carried empty with a note, not a failed collect.
 */
export async function readEventLogs(
  source: Snapshot,
  maxEvents: number,
  notes: string[],
): Promise<EventLogExtract[]> {
  const events: EventLogExtract[] = [];
  if (!source.eventLog) return events;
  for (const log of EVENT_LOGS) {
    const records = await source.eventLog.query(log, maxEvents).catch((e: Error) => {
      notes.push(`events/${log}.xml omitted: ${e.message}`);
      return [];
    });
    events.push({ log, records });
  }
  return events;
}

const xmlEscape = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
  );

/**
 * Writes `events/<log>.xml` for each extract. Every string is redacted before it is XML-escaped
 * (`O'Brien` would otherwise hide as `O&apos;Brien`), then the document is redacted as text.
 * Reads no port.
 */
export function writeEventMembers(out: BundleMembers, events: readonly EventLogExtract[]): void {
  const x = (v: string) => xmlEscape(out.text(v));
  for (const { log, records } of events) {
    const body = records
      .map(
        (e) =>
          `  <Event><System><Provider Name="${x(e.provider)}"/><EventID>${e.id}</EventID>` +
          `<Level>${e.level ?? ""}</Level><TimeCreated SystemTime="${x(e.time)}"/>` +
          `<Channel>${x(e.log)}</Channel></System><EventData>` +
          e.data.map((d) => `<Data>${x(d)}</Data>`).join("") +
          `</EventData></Event>`,
      )
      .join("\n");
    const xml = `<?xml version="1.0" encoding="utf-8"?>\n<Events>\n${body}\n</Events>\n`;
    out.putText(`events/${log}.xml`, new TextEncoder().encode(xml));
  }
}
