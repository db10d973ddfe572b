import { defineCheck } from "../finding.js";

/** Evidence of `cache-orphan`: one cache folder no Outlook profile owns. */
export interface CacheOrphanEvidence {
  user: string;
  /** The cache folder (Windows path). */
  path: string;
  /** Total bytes in it. */
  bytes: number;
  /** File names of its databases. */
  databases: string[];
}

/** A cache folder has no Outlook profile of that name. */
export default defineCheck<CacheOrphanEvidence>({
  id: "cache-orphan",
  severity: "warning",
  title: "A KOFF cache has no profile",
  remedy: "remove-leftovers",
  needs: ["caches", "damagedUserHives", "profiles"],
  run(f) {
    return f.caches
      .filter((c) => !f.damagedUserHives.includes(c.user)) // profiles of a damaged hive are not all known
      .filter(
        (c) => !f.profiles.some((p) => p.user === c.user && p.name.toLowerCase() === c.profile.toLowerCase()),
      )
      .map((c) => ({
        message: `user ${c.user}: cache "${c.profile}" (${c.bytes} bytes) belongs to no Outlook profile`,
        evidence: {
          user: c.user,
          path: c.path,
          bytes: c.bytes,
          databases: c.databases.map((d) => d.name),
        } satisfies CacheOrphanEvidence,
      }));
  },
});
