import { defineCheck } from "../finding.js";

/** Evidence of `office-not-found`: where Outlook was looked for. */
export interface OfficeNotFoundEvidence {
  /** Registry paths read while looking for Office (empty when none held anything). */
  checked: string[];
}

/** No Office/Outlook installation found, so bitness cannot be compared. */
export default defineCheck<OfficeNotFoundEvidence>({
  id: "office-not-found",
  severity: "info",
  title: "No Outlook installation found",
  remedy: null,
  needs: ["office"],
  run(f) {
    if (f.office.found) return [];
    return [
      {
        message: "no Office Click-to-Run configuration or Outlook Bitness value found",
        evidence: { checked: f.office.sources } satisfies OfficeNotFoundEvidence,
      },
    ];
  },
});
