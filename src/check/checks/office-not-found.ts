import { defineCheck } from "../finding.js";

/** No Office/Outlook installation found, so bitness cannot be compared. */
export default defineCheck({
  id: "office-not-found",
  severity: "info",
  title: "No Outlook installation found",
  remedy: null,
  run(f) {
    if (f.office.found) return [];
    return [
      {
        message: "no Office Click-to-Run configuration or Outlook Bitness value found",
        evidence: { checked: f.office.sources },
      },
    ];
  },
});
