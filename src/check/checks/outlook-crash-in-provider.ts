import type { MachineFacts } from "../facts.js";
import { defineCheck } from "../finding.js";

/** One event-log record as the facts carry it. */
type EventFact = NonNullable<MachineFacts["events"]>[number];

/** Evidence of `outlook-crash-in-provider`: the Application Error events of such crashes. */
export interface OutlookCrashInProviderEvidence {
  /** How many crashes were logged. */
  count: number;
  /** The latest one. */
  latest: EventFact;
  /** The first ten, latest first. */
  events: EventFact[];
}

/** Faulting module of an Application Error (event 1000) crash of Outlook or KoffBackend. */
const KOFF_MODULE = /^(kofmsp(32)?\.dll|fbclient\.dll|fbembed\.dll|engine1\d\.dll)$/i;

/** Application log event 1000 shows Outlook or KoffBackend crashing in a KOFF or Firebird module. */
export default defineCheck<OutlookCrashInProviderEvidence>({
  id: "outlook-crash-in-provider",
  severity: "error",
  title: "Outlook crashed inside the Kerio connector",
  remedy: "reinstall-koff",
  needs: ["events"],
  run(f) {
    // Application Error data: AppName, AppVersion, AppTimeStamp, ModuleName, ModuleVersion, …, ExceptionCode, FaultingOffset.
    const crashes = (f.events ?? []).filter((e) => {
      const d = e.message.split(" | ");
      return e.id === 1000 && e.provider === "Application Error" && KOFF_MODULE.test(d[3] ?? "");
    });
    if (crashes.length === 0) return [];
    const last = crashes[0]!;
    const d = last.message.split(" | ");
    return [
      {
        message: `${crashes.length} crash(es) of ${d[0]} in ${d[3]} ${d[4] ?? ""} (exception ${d[6] ?? "?"}), latest at ${last.time}`,
        evidence: {
          count: crashes.length,
          latest: last,
          events: crashes.slice(0, 10),
        } satisfies OutlookCrashInProviderEvidence,
      },
    ];
  },
});
