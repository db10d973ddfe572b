import { defineCheck } from "../finding.js";
import { isInstalled } from "../facts.js";

/** A profile uses the KOFF service while the connector is not installed. */
export default defineCheck({
  id: "profile-koff-orphaned",
  severity: "error",
  title: "A profile uses the Kerio connector, which is not installed",
  remedy: "reinstall-koff",
  run(f) {
    const installed = isInstalled(f);
    if (installed) return [];
    return f.profiles
      .filter((p) => p.hasKoff)
      .map((p) => ({
        message: `user ${p.user}: profile "${p.name}" references ${p.services.find((s) => s.isKoff)?.dllName ?? "KOFMSP.DLL"}; Outlook will fail with "MAPI was unable to load the information service"`,
        evidence: { user: p.user, profile: p.name, key: p.key, services: p.services.filter((s) => s.isKoff) },
      }));
  },
});
