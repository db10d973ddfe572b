import { isUnderWindowsPath, windowsPathKey } from "../../paths/windows-path.js";
import type { Verdict } from "../../triage/index.js";
import { defineCheck } from "../finding.js";

/** Evidence of `mapisvc-path-outside-install`: one registration that loads a DLL outside the install. */
export interface MapisvcPathOutsideInstallEvidence {
  /** The MAPISVC.INF file. */
  file: string;
  /** Its `[Services]` key of the KOFF service. */
  section: string;
  /** The value as registered. */
  registered: string;
  /** The file MAPI loads after the "32" rule (Windows path). */
  loadPath: string;
  /** The loaded DLL's triage verdict; absent when it was not triaged. */
  verdict?: Verdict;
  /** The loaded DLL's SHA-256; absent when it was not triaged. */
  sha256?: string;
}

/** The registered DLL lies outside the vendor install folder. */
export default defineCheck<MapisvcPathOutsideInstallEvidence>({
  id: "mapisvc-path-outside-install",
  severity: "error",
  title: "MAPISVC.INF points outside the connector's install folder",
  remedy: "rule-out-infection",
  needs: ["triage", "install", "mapisvc"],
  run(f) {
    const triage = new Map(
      f.triage.filter((t) => t.windowsPath).map((t) => [windowsPathKey(t.windowsPath!), t]),
    );
    const installFolders = [...f.install.folders];
    return f.mapisvc.registrations
      .filter(
        (r) => r.loadPath && r.resolved && !installFolders.some((d) => isUnderWindowsPath(r.loadPath!, d)),
      )
      .map((r) => {
        const t = triage.get(windowsPathKey(r.loadPath!));
        return {
          severity: t?.verdict === "malicious" ? ("critical" as const) : undefined,
          message: `${r.file} [${r.section}] makes MAPI load ${r.loadPath}, outside ${installFolders.join(", ") || "any install folder"} (triage: ${t?.verdict ?? "not triaged"})`,
          evidence: {
            file: r.file,
            section: r.section,
            registered: r.registered,
            loadPath: r.loadPath!,
            verdict: t?.verdict,
            sha256: t?.sha256,
          } satisfies MapisvcPathOutsideInstallEvidence,
        };
      });
  },
});
