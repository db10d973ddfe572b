import { defineCheck } from "../finding.js";
import { isInstalled } from "../facts.js";

/** Evidence of `mapisvc-not-registered`: the MAPISVC.INF files that were read. */
export interface MapisvcNotRegisteredEvidence {
  /** Every MAPISVC.INF found (Windows paths); none registers a kofmsp service. */
  files: string[];
}

/** No MAPISVC.INF section registers the KOFF service, while KOFF is installed or used. */
export default defineCheck<MapisvcNotRegisteredEvidence>({
  id: "mapisvc-not-registered",
  severity: "error",
  title: "MAPISVC.INF does not register the KOFF service",
  remedy: "reinstall-koff",
  needs: ["install", "mapisvc"],
  run(f) {
    const installed = isInstalled(f);
    if (!installed || f.mapisvc.registrations.length > 0) return [];
    return [
      {
        message:
          f.mapisvc.files.length === 0
            ? "no MAPISVC.INF found at any known location; new Outlook builds block providers not registered there"
            : `none of ${f.mapisvc.files.length} MAPISVC.INF file(s) registers a kofmsp service; new Outlook builds block such providers (KB 4498413)`,
        evidence: { files: f.mapisvc.files } satisfies MapisvcNotRegisteredEvidence,
      },
    ];
  },
});
