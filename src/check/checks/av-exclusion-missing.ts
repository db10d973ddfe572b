import { loadKnowledge } from "../../knowledge/index.js";
import { defineCheck } from "../finding.js";
import { isInstalled } from "../facts.js";
import { missingExclusions } from "../koff-exclusions.js";

/** One of GFI's recommended paths (made concrete for this machine) is not a Defender exclusion. */
export default defineCheck({
  id: "av-exclusion-missing",
  severity: "warning",
  title: "A recommended antivirus exclusion is missing",
  remedy: "av-exclusions",
  run(f) {
    if (!isInstalled(f)) return [];
    return missingExclusions(f, loadKnowledge()).map((p) => ({
      message: `${p} is not excluded from Microsoft Defender scanning`,
      evidence: { path: p, exclusions: f.defender.exclusions },
    }));
  },
});
