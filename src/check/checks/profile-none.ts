import { defineCheck } from "../finding.js";

/** KOFF is installed but no Outlook profile contains its service. */
export default defineCheck({
  id: "profile-none",
  severity: "warning",
  title: "No Outlook profile uses the Kerio connector",
  remedy: "recreate-profile",
  run(f) {
    const installed = f.install.folders.length > 0 || f.install.uninstallEntries.length > 0;
    if (!installed || f.profiles.some((p) => p.hasKoff)) return [];
    return [
      {
        message: `${f.profiles.length} Outlook profile(s) found, none with a kofmsp service`,
        evidence: { profiles: f.profiles.map((p) => ({ user: p.user, layout: p.layout, name: p.name })) },
      },
    ];
  },
});
