import { defineCheck } from "../finding.js";

/** Evidence of `mapisvc-path-unresolved`: one registration whose DLL does not exist. */
export interface MapisvcPathUnresolvedEvidence {
  /** The MAPISVC.INF file. */
  file: string;
  /** Its `[Services]` key of the KOFF service. */
  section: string;
  /** The key whose value named the DLL (`PR_SERVICE_DLL_NAME` or a provider's `PR_PROVIDER_DLL_NAME`). */
  key: string;
  /** The value as registered. */
  registered: string;
  /** The file MAPI would load after the "32" rule; absent for a bare name MAPI cannot find. */
  loadPath?: string;
}

/** The DLL MAPI would load (after the "32" rule) does not exist. */
export default defineCheck<MapisvcPathUnresolvedEvidence>({
  id: "mapisvc-path-unresolved",
  severity: "error",
  title: "The DLL registered in MAPISVC.INF does not exist",
  remedy: "reinstall-koff",
  needs: ["mapisvc"],
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
        } satisfies MapisvcPathUnresolvedEvidence,
      }));
  },
});
