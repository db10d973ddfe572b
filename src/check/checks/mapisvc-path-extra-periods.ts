import { defineCheck } from "../finding.js";

/** A registered full path holds a period before the file name, so MAPI inserts "32" in the wrong place. */
export default defineCheck({
  id: "mapisvc-path-extra-periods",
  severity: "error",
  title: "The MAPISVC.INF path has extra periods",
  remedy: "reinstall-koff",
  run(f) {
    return f.mapisvc.registrations
      .filter((r) => r.issues.includes("extra-periods"))
      .map((r) => ({
        message: `${r.registered} contains a period before the file name; MAPI inserts "32" before the first period and loads ${r.loadPath ?? "a wrong path"}`,
        evidence: { file: r.file, section: r.section, registered: r.registered, loadPath: r.loadPath },
      }));
  },
});
