/**
 * The bundle adapter's event-log port: the records a bundle carries, answered through the same
 * {@link EventQuery} as every port. Current bundles carry `events/records.json` (validated when
 * the snapshot opens); older ones carry `events/<log>.xml` extracts in `wevtutil` form, still
 * read through the `wevtutil` parser.
 *
 * Source: docs/bundle.md ("Layout", "Event logs").
 */
import type { Bundle } from "../../bundle/bundle-reader.js";
import { validateEventRecords } from "../../bundle/event-records.js";
import { MEMBER } from "../../bundle/layout.js";
import type { EventLogPort, EventRecord } from "../../ports/system.js";
import { applyEventQuery } from "../../windows/event-query.js";
import { parseWevtutilXml } from "../../windows/tool-output/wevtutil.js";

/** Legacy members: `events/Application.xml`, `events/System.xml`. */
const LEGACY_MEMBER = /^events\/[^/]+\.xml$/;

/**
 * The bundle's event-log port, or undefined when it carries no event records.
 * @throws BundleError `member-invalid` when `events/records.json` is malformed.
 */
export async function createBundleEventLog(bundle: Bundle): Promise<EventLogPort | undefined> {
  if (bundle.memberNames.includes(MEMBER.events)) {
    const logs = validateEventRecords(await bundle.readJson(MEMBER.events));
    const byLog = new Map(logs.map((l) => [l.log.toLowerCase(), l.records]));
    return {
      query: async (log, query) => {
        const records = byLog.get(log.toLowerCase());
        if (records === undefined) throw new Error("the bundle carries no records of this log");
        return applyEventQuery(records, query);
      },
    };
  }
  const legacy = new Set(bundle.memberNames.filter((n) => LEGACY_MEMBER.test(n)));
  if (legacy.size === 0) return undefined;
  return {
    query: async (log, query) => {
      const member = `events/${log}.xml`;
      if (!legacy.has(member)) throw new Error("the bundle carries no records of this log");
      const records: EventRecord[] = parseWevtutilXml(
        new TextDecoder().decode(await bundle.read(member)),
        log,
      );
      return applyEventQuery(records, query);
    },
  };
}
