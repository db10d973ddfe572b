import { defineCheck } from "../finding.js";

/** Evidence of `mapisvc-path-extra-periods`: one registration whose path has a period before the file name. */
export interface MapisvcPathExtraPeriodsEvidence {
  /** The MAPISVC.INF file. */
  file: string;
  /** Its `[Services]` key of the KOFF service. */
  section: string;
  /** The DLL path as registered. */
  registered: string;
  /** The file MAPI would load after the "32" rule; absent when it could not be determined. */
  loadPath?: string;
}

/** A registered full path holds a period before the file name, so MAPI inserts "32" in the wrong place. */
export default defineCheck<MapisvcPathExtraPeriodsEvidence>({
  id: "mapisvc-path-extra-periods",
  severity: "error",
  title: "The MAPISVC.INF path has extra periods",
  remedy: "reinstall-koff",
  needs: ["mapisvc"],
  run(f) {
    return f.mapisvc.registrations
      .filter((r) => r.issues.includes("extra-periods"))
      .map((r) => ({
        message: `${r.registered} contains a period before the file name; MAPI inserts "32" before the first period and loads ${r.loadPath ?? "a wrong path"}`,
        evidence: {
          file: r.file,
          section: r.section,
          registered: r.registered,
          loadPath: r.loadPath,
        } satisfies MapisvcPathExtraPeriodsEvidence,
      }));
  },
});
