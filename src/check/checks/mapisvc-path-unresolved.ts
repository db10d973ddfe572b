import { defineCheck } from "../finding.js";

/** The DLL MAPI would load (after the "32" rule) does not exist. */
export default defineCheck({
  id: "mapisvc-path-unresolved",
  severity: "error",
  title: "The DLL registered in MAPISVC.INF does not exist",
  remedy: "reinstall-koff",
  run(f) {
    return f.mapisvc.registrations
      .filter((r) => !r.resolved)
      .map((r) => ({
        message: `${r.file} [${r.section}] ${r.key}=${r.registered}: MAPI would load ${r.loadPath ?? "a bare name it cannot find"}, which does not exist`,
        evidence: {
          file: r.file,
          section: r.section,
          key: r.key,
          registered: r.registered,
          loadPath: r.loadPath,
        },
      }));
  },
});
