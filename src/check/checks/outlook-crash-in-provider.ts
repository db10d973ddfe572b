/**
 * Application Error (event 1000) records of Outlook or KoffBackend crashing inside a connector
 * module: the provider DLL or the embedded Firebird client.
 *
 * Source: Microsoft, "Application Error event 1000"
 * (https://learn.microsoft.com/troubleshoot/windows-client/application-management/application-error-event-1000);
 * docs/checks/outlook-crash-in-provider.md.
 */
import type { EventFact } from "../facts.js";
import { defineCheck } from "../finding.js";
import { eventField, KOFF_MODULE } from "../relevant-events.js";

/** Evidence of `outlook-crash-in-provider`: the Application Error events of such crashes. */
export interface OutlookCrashInProviderEvidence {
  /** How many crashes were logged (of the records read). */
  count: number;
  /** The latest one. */
  latest: EventFact;
  /** The first ten, latest first. */
  events: EventFact[];
}

/** Application log event 1000 shows Outlook or KoffBackend crashing in a KOFF or Firebird module. */
export default defineCheck<OutlookCrashInProviderEvidence>({
  id: "outlook-crash-in-provider",
  severity: "error",
  title: "Outlook crashed inside the Kerio connector",
  remedy: "reinstall-koff",
  needs: ["events"],
  run(f) {
    const crashes = (f.events ?? []).filter(
      (e) => e.kind === "app-crash" && KOFF_MODULE.test(eventField(e, "ModuleName", 3)),
    );
    if (crashes.length === 0) return [];
    const last = crashes[0]!;
    return [
      {
        message: `${crashes.length} crash(es) in the connector; latest at ${last.time}: ${last.summary}`,
        evidence: {
          count: crashes.length,
          latest: last,
          events: crashes.slice(0, 10),
        } satisfies OutlookCrashInProviderEvidence,
      },
    ];
  },
});
