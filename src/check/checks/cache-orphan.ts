import { defineCheck } from "../finding.js";

/** A cache folder has no Outlook profile of that name. */
export default defineCheck({
  id: "cache-orphan",
  severity: "warning",
  title: "A KOFF cache has no profile",
  remedy: "remove-leftovers",
  run(f) {
    return f.caches
      .filter((c) => !f.damagedUserHives.includes(c.user)) // profiles of a damaged hive are not all known
      .filter(
        (c) => !f.profiles.some((p) => p.user === c.user && p.name.toLowerCase() === c.profile.toLowerCase()),
      )
      .map((c) => ({
        message: `user ${c.user}: cache "${c.profile}" (${c.bytes} bytes) belongs to no Outlook profile`,
        evidence: { user: c.user, path: c.path, bytes: c.bytes, databases: c.databases.map((d) => d.name) },
      }));
  },
});
