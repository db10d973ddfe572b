import { defineCheck } from "../finding.js";

/** A *.fdb in a cache folder lacks a valid Firebird header page. */
export default defineCheck({
  id: "cache-db-invalid",
  severity: "error",
  title: "A KOFF cache database is damaged",
  remedy: "clear-cache",
  run(f) {
    return f.caches.flatMap((c) =>
      c.databases
        .filter((d) => !d.valid)
        .map((d) => ({
          message: `${c.path}\\${d.name}: ${d.problems.join(", ")}`,
          evidence: {
            user: c.user,
            profile: c.profile,
            file: `${c.path}\\${d.name}`,
            size: d.size,
            problems: d.problems,
          },
        })),
    );
  },
});
