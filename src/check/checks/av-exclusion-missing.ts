import { loadKnowledge } from "../../knowledge/index.js";
import { isInstalled, type DefenderFacts } from "../facts.js";
import { defineCheck } from "../finding.js";
import { missingExclusions } from "../koff-exclusions.js";

/** Evidence of `av-exclusion-missing`: one recommended path and the exclusions that are set. */
export interface AvExclusionMissingEvidence {
  /** The recommended path (Windows path, made concrete for this machine) that is not excluded. */
  path: string;
  /** Every Defender exclusion found (local and policy). */
  exclusions: DefenderFacts["exclusions"];
}

/** One of GFI's recommended paths (made concrete for this machine) is not a Defender exclusion. */
export default defineCheck<AvExclusionMissingEvidence>({
  id: "av-exclusion-missing",
  severity: "warning",
  title: "A recommended antivirus exclusion is missing",
  remedy: "av-exclusions",
  needs: ["install", "profiles", "cacheRoots", "defender"],
  run(f) {
    if (!isInstalled(f)) return [];
    return missingExclusions(f, loadKnowledge()).map((p) => ({
      message: `${p} is not excluded from Microsoft Defender scanning`,
      evidence: { path: p, exclusions: f.defender.exclusions } satisfies AvExclusionMissingEvidence,
    }));
  },
});
