import { defineCheck } from "../finding.js";

/** Evidence of `provider-dll-missing`: the install folders and the binaries they do hold. */
export interface ProviderDllMissingEvidence {
  /** Install folders found (Windows paths). */
  folders: string[];
  /** Binaries in them (Windows paths); no `kofmsp*.dll` among them. */
  binaries: string[];
}

/** The install folder exists but holds no kofmsp*.dll. */
export default defineCheck<ProviderDllMissingEvidence>({
  id: "provider-dll-missing",
  severity: "critical",
  title: "The connector's MAPI provider DLL is missing",
  remedy: "reinstall-koff",
  needs: ["install"],
  run(f) {
    if (f.install.folders.length === 0 || f.install.providerDlls.length > 0) return [];
    return [
      {
        message: `no kofmsp.dll or kofmsp32.dll in ${f.install.folders.join(", ")}; Outlook cannot load the KOFF service`,
        evidence: {
          folders: f.install.folders,
          binaries: f.install.binaries.map((b) => b.path),
        } satisfies ProviderDllMissingEvidence,
      },
    ];
  },
});
