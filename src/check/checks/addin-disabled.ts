/**
 * Outlook event 59 naming the connector: Outlook's add-in resiliency disabled it (slow to load,
 * slow to shut down, or a crash), so Outlook starts without it until the user re-enables it.
 *
 * Source: Microsoft, "Add-ins are user re-enabled after being disabled by Office programs"
 * (https://learn.microsoft.com/en-us/outlook/troubleshoot/performance/add-ins-are-user-re-enabled-after-being-disabled);
 * docs/checks/addin-disabled.md.
 */
import type { EventFact } from "../facts.js";
import { defineCheck } from "../finding.js";

/** Evidence of `addin-disabled`: the Outlook 59 events naming the connector. */
export interface AddinDisabledEvidence {
  /** How many times Outlook disabled it (of the records read). */
  count: number;
  /** The first ten, latest first. */
  events: EventFact[];
}

/** Outlook disabled the connector's add-in (Application log, source Outlook, event 59). */
export default defineCheck<AddinDisabledEvidence>({
  id: "addin-disabled",
  severity: "warning",
  title: "Outlook disabled the Kerio connector add-in",
  remedy: null,
  needs: ["events"],
  run(f) {
    const hits = (f.events ?? []).filter((e) => e.kind === "addin-disabled");
    if (hits.length === 0) return [];
    return [
      {
        message: `Outlook disabled the connector's add-in ${hits.length} time(s), latest at ${hits[0]!.time}: ${hits[0]!.summary.slice(0, 200)}`,
        evidence: { count: hits.length, events: hits.slice(0, 10) } satisfies AddinDisabledEvidence,
      },
    ];
  },
});
