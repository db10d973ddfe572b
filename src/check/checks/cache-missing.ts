import { defineCheck } from "../finding.js";

/** Evidence of `cache-missing`: one KOFF profile without a cache folder. */
export interface CacheMissingEvidence {
  user: string;
  /** The Outlook profile's name. */
  profile: string;
  /** The user's cache roots that exist (Windows paths), where the folder was looked for. */
  cacheRoots: string[];
}

/** A profile with the KOFF service has no cache folder. */
export default defineCheck<CacheMissingEvidence>({
  id: "cache-missing",
  severity: "warning",
  title: "A KOFF profile has no local cache",
  remedy: "recreate-profile",
  needs: ["profiles", "cacheRoots", "caches"],
  run(f) {
    return (
      f.profiles
        .filter((p) => p.hasKoff)
        // A cache root redirected to a share is not visible here: unknown, so not "missing".
        .filter((p) => !f.cacheRoots.some((r) => r.user === p.user && r.onNetwork))
        .filter(
          (p) => !f.caches.some((c) => c.user === p.user && c.profile.toLowerCase() === p.name.toLowerCase()),
        )
        .map((p) => ({
          message: `user ${p.user}: profile "${p.name}" uses KOFF but has no folder under the cache root`,
          evidence: {
            user: p.user,
            profile: p.name,
            cacheRoots: f.cacheRoots.filter((r) => r.user === p.user).map((r) => r.path),
          } satisfies CacheMissingEvidence,
        }))
    );
  },
});
