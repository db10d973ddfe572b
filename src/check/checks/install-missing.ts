import { isInstalled } from "../facts.js";
import { defineCheck } from "../finding.js";

/** Evidence of `install-missing`: what was looked for, and the profiles that still use KOFF. */
export interface InstallMissingEvidence {
  /** Uninstall entries of the connector found: always 0 here. */
  uninstallEntries: 0;
  /** Which folders were checked: `"knowledge install folders"`. */
  foldersChecked: string;
  /** Profiles that still use the KOFF service, as `"user: profile"`. */
  koffProfiles: string[];
}

/** No KOFF install is found: no Uninstall entry and no install folder. */
export default defineCheck<InstallMissingEvidence>({
  id: "install-missing",
  severity: "error",
  title: "Kerio Outlook Connector is not installed",
  remedy: "reinstall-koff",
  needs: ["install", "profiles"],
  run(f) {
    if (isInstalled(f)) return [];
    const koffProfiles = f.profiles.filter((p) => p.hasKoff).map((p) => `${p.user}: ${p.name}`);
    return [
      {
        message:
          koffProfiles.length > 0
            ? `no install found, yet ${koffProfiles.length} Outlook profile(s) still use the KOFF service`
            : "no Uninstall entry and no install folder found",
        evidence: {
          uninstallEntries: 0,
          foldersChecked: "knowledge install folders",
          koffProfiles,
        } satisfies InstallMissingEvidence,
      },
    ];
  },
});
