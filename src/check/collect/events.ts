/**
 * Collector `events` (live mode, and bundles that carry event-log extracts): Application-log
 * records that bear on the provider, namely application crashes (event 1000, "Application
 * Error") and any record naming the provider DLL.
 *
 * Source: Microsoft, "Application Error event 1000"
 * (https://learn.microsoft.com/troubleshoot/windows-client/application-management/application-error-event-1000).
 */
import { defineCollector } from "./collector.js";

/** Event-log records read from the Application log (newest first). */
const EVENTS_READ = 2000;

export const eventsCollector = defineCollector({
  name: "events",
  needs: ["eventLog"],
  provides: ["events"],
  timeLimitMs: 300_000,
  async collect(snapshot, { knowledge: k }) {
    let records;
    try {
      records = await snapshot.eventLog!.query("Application", EVENTS_READ);
    } catch (e) {
      return { facts: {}, unknown: { events: `could not be read: ${(e as Error).message}` } };
    }
    const events = records
      .filter(
        (e) =>
          (e.id === 1000 && e.provider === "Application Error") ||
          e.data.some((d) => k.providerDllPattern.test(d)),
      )
      .map((e) => ({
        log: e.log,
        id: e.id,
        provider: e.provider,
        time: e.time,
        message: e.data.join(" | "),
      }));
    return { facts: { events } };
  },
});
