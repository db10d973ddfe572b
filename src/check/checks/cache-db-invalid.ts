import { describeFirebirdProblem } from "../../firebird/header-page.js";
import { defineCheck } from "../finding.js";

/** Evidence of `cache-db-invalid`: one cache database without a valid Firebird header page. */
export interface CacheDbInvalidEvidence {
  user: string;
  /** The cache folder's name (= the Outlook profile's). */
  profile: string;
  /** The database file (Windows path). */
  file: string;
  /** Its size in bytes. */
  size: number;
  /** What is wrong with its header page, e.g. `"not-header-page"`, `"bad-page-size"`. */
  problems: string[];
}

/** A *.fdb in a cache folder lacks a valid Firebird header page. */
export default defineCheck<CacheDbInvalidEvidence>({
  id: "cache-db-invalid",
  severity: "error",
  title: "A KOFF cache database is damaged",
  remedy: "clear-cache",
  needs: ["caches"],
  run(f) {
    return f.caches.flatMap((c) =>
      c.databases
        .filter((d) => !d.valid)
        .map((d) => ({
          message: `${c.path}\\${d.name}: ${d.problems.map((p) => describeFirebirdProblem(p)).join("; ")}`,
          evidence: {
            user: c.user,
            profile: c.profile,
            file: `${c.path}\\${d.name}`,
            size: d.size,
            problems: d.problems,
          } satisfies CacheDbInvalidEvidence,
        })),
    );
  },
});
