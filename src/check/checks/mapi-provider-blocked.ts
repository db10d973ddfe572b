import type { MachineFacts } from "../facts.js";
import { defineCheck } from "../finding.js";

/** One event-log record as the facts carry it. */
type EventFact = NonNullable<MachineFacts["events"]>[number];

/** Evidence of `mapi-provider-blocked`: the Outlook events that name the provider DLL. */
export interface MapiProviderBlockedEvidence {
  /** How many events name it. */
  count: number;
  /** The first ten of them, latest first. */
  events: EventFact[];
}

/** Outlook logged errors naming the KOFF provider DLL (MAPI load failures, KB 4498413 blocking). */
export default defineCheck<MapiProviderBlockedEvidence>({
  id: "mapi-provider-blocked",
  severity: "error",
  title: "Outlook reported that it could not load the KOFF provider",
  remedy: "reinstall-koff",
  needs: ["events"],
  run(f) {
    const hits = (f.events ?? []).filter(
      (e) => /outlook|mapi/i.test(e.provider) && /kofmsp/i.test(e.message),
    );
    if (hits.length === 0) return [];
    return [
      {
        message: `${hits.length} Outlook event(s) name the provider DLL, latest at ${hits[0]!.time}: ${hits[0]!.message.slice(0, 200)}`,
        evidence: { count: hits.length, events: hits.slice(0, 10) } satisfies MapiProviderBlockedEvidence,
      },
    ];
  },
});
