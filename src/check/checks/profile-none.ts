import { defineCheck } from "../finding.js";
import { isInstalled } from "../facts.js";

/** Evidence of `profile-none`: the Outlook profiles found, none with the KOFF service. */
export interface ProfileNoneEvidence {
  /** Every profile found: user, layout (`"16.0"`, `"15.0"`, `"wms"`) and name. */
  profiles: Array<{ user: string; layout: string; name: string }>;
}

/** KOFF is installed but no Outlook profile contains its service. */
export default defineCheck<ProfileNoneEvidence>({
  id: "profile-none",
  severity: "warning",
  title: "No Outlook profile uses the Kerio connector",
  remedy: "recreate-profile",
  needs: ["install", "profiles", "damagedUserHives"],
  run(f) {
    const installed = isInstalled(f);
    // A damaged user hive may hide the profile: that is unknown (see facts.unknown), not "none".
    if (!installed || f.profiles.some((p) => p.hasKoff) || f.damagedUserHives.length > 0) return [];
    return [
      {
        message: `${f.profiles.length} Outlook profile(s) found, none with a kofmsp service`,
        evidence: {
          profiles: f.profiles.map((p) => ({ user: p.user, layout: p.layout, name: p.name })),
        } satisfies ProfileNoneEvidence,
      },
    ];
  },
});
