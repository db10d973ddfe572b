import { defineCheck } from "../finding.js";

/** DefaultProfile names a profile that does not exist. */
export default defineCheck({
  id: "profile-default-missing",
  severity: "error",
  title: "The default Outlook profile does not exist",
  remedy: "recreate-profile",
  run(f) {
    return f.defaultProfiles
      .filter(
        (d) =>
          !f.profiles.some(
            (p) =>
              p.user === d.user && p.layout === d.layout && p.name.toLowerCase() === d.name.toLowerCase(),
          ),
      )
      .map((d) => ({
        message: `user ${d.user}: DefaultProfile is "${d.name}" but no such profile exists (${d.layout} layout)`,
        evidence: { user: d.user, layout: d.layout, defaultProfile: d.name, key: d.key },
      }));
  },
});
