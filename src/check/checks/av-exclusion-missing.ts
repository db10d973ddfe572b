import { expandWindowsPath, isUnderWindowsPath } from "../../paths/windows-path.js";
import { loadKnowledge } from "../../knowledge/index.js";
import { defineCheck } from "../finding.js";

/** One of GFI's three recommended paths is not a Defender exclusion. */
export default defineCheck({
  id: "av-exclusion-missing",
  severity: "warning",
  title: "A recommended antivirus exclusion is missing",
  remedy: "av-exclusions",
  run(f) {
    const installed = f.install.folders.length > 0 || f.install.uninstallEntries.length > 0;
    if (!installed) return [];
    const excluded = f.defender.exclusions.map((e) => expandWindowsPath(e.path));
    const wanted = loadKnowledge().avExclusionPaths.flatMap((p) =>
      p.includes("%") ? f.users.map((u) => expandWindowsPath(p, u)) : [p],
    );
    return wanted
      .filter((p) => !excluded.some((e) => isUnderWindowsPath(p, e)))
      .map((p) => ({
        message: `${p} is not excluded from Microsoft Defender scanning`,
        evidence: { path: p, exclusions: f.defender.exclusions },
      }));
  },
});
