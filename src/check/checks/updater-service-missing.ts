import { defineCheck } from "../finding.js";
import { isInstalled } from "../facts.js";

/** Evidence of `updater-service-missing`: what showed the updater, if anything. */
export interface UpdaterServiceMissingEvidence {
  /** The updater facts' evidence (Uninstall entry, service key, folder); empty when nothing was found. */
  checked: string[];
}

/** The Kerio Updater Service is not installed (auto-upgrade fails for non-admin users). */
export default defineCheck<UpdaterServiceMissingEvidence>({
  id: "updater-service-missing",
  severity: "warning",
  title: "The Kerio Updater Service is not installed",
  remedy: "reinstall-koff",
  needs: ["install", "updater"],
  run(f) {
    const installed = isInstalled(f);
    if (!installed || f.updater.installed) return [];
    return [
      {
        message:
          "no Kerio Updater Service (no Uninstall entry, no UpdaterService folder); connector upgrades fail for users without admin rights",
        evidence: { checked: f.updater.evidence } satisfies UpdaterServiceMissingEvidence,
      },
    ];
  },
});
