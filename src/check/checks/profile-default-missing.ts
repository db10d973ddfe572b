import { defineCheck } from "../finding.js";

/** Evidence of `profile-default-missing`: one DefaultProfile value that names no profile. */
export interface ProfileDefaultMissingEvidence {
  user: string;
  /** Profile layout: `"16.0"`, `"15.0"` or `"wms"`. */
  layout: string;
  /** The `DefaultProfile` value. */
  defaultProfile: string;
  /** Registry key the value was read from. */
  key: string;
}

/** DefaultProfile names a profile that does not exist. */
export default defineCheck<ProfileDefaultMissingEvidence>({
  id: "profile-default-missing",
  severity: "error",
  title: "The default Outlook profile does not exist",
  remedy: "recreate-profile",
  needs: ["defaultProfiles", "profiles"],
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
        evidence: {
          user: d.user,
          layout: d.layout,
          defaultProfile: d.name,
          key: d.key,
        } satisfies ProfileDefaultMissingEvidence,
      }));
  },
});
