import { defineCheck } from "../finding.js";

/** The install folder exists but holds no kofmsp*.dll. */
export default defineCheck({
  id: "provider-dll-missing",
  severity: "critical",
  title: "The connector's MAPI provider DLL is missing",
  remedy: "reinstall-koff",
  run(f) {
    if (f.install.folders.length === 0 || f.install.providerDlls.length > 0) return [];
    return [
      {
        message: `no kofmsp.dll or kofmsp32.dll in ${f.install.folders.join(", ")}; Outlook cannot load the KOFF service`,
        evidence: { folders: f.install.folders, binaries: f.install.binaries.map((b) => b.path) },
      },
    ];
  },
});
