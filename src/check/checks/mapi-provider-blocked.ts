/**
 * Outlook or MAPI records naming the provider DLL: MAPI load failures of the KOFF service.
 *
 * Source: docs/checks/mapi-provider-blocked.md.
 */
import type { EventFact } from "../facts.js";
import { defineCheck } from "../finding.js";

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
    const hits = (f.events ?? []).filter((e) => e.kind === "provider-named");
    if (hits.length === 0) return [];
    return [
      {
        message: `${hits.length} Outlook event(s) name the provider DLL, latest at ${hits[0]!.time}: ${hits[0]!.summary.slice(0, 200)}`,
        evidence: { count: hits.length, events: hits.slice(0, 10) } satisfies MapiProviderBlockedEvidence,
      },
    ];
  },
});
