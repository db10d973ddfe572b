import { defineCheck } from "../finding.js";
import { isInstalled, type ProfileServiceFact } from "../facts.js";

/** Evidence of `profile-koff-orphaned`: one profile that uses KOFF while KOFF is not installed. */
export interface ProfileKoffOrphanedEvidence {
  user: string;
  /** The Outlook profile's name. */
  profile: string;
  /** Registry key of the profile. */
  key: string;
  /** Its KOFF services. */
  services: ProfileServiceFact[];
}

/** A profile uses the KOFF service while the connector is not installed. */
export default defineCheck<ProfileKoffOrphanedEvidence>({
  id: "profile-koff-orphaned",
  severity: "error",
  title: "A profile uses the Kerio connector, which is not installed",
  remedy: "reinstall-koff",
  needs: ["install", "profiles"],
  run(f) {
    const installed = isInstalled(f);
    if (installed) return [];
    return f.profiles
      .filter((p) => p.hasKoff)
      .map((p) => ({
        message: `user ${p.user}: profile "${p.name}" references ${p.services.find((s) => s.isKoff)?.dllName ?? "KOFMSP.DLL"}; Outlook will fail with "MAPI was unable to load the information service"`,
        evidence: {
          user: p.user,
          profile: p.name,
          key: p.key,
          services: p.services.filter((s) => s.isKoff),
        } satisfies ProfileKoffOrphanedEvidence,
      }));
  },
});
