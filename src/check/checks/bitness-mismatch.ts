import { defineCheck } from "../finding.js";

/** The provider DLL's machine type differs from Outlook's bitness. */
export default defineCheck({
  id: "bitness-mismatch",
  severity: "critical",
  title: "The provider DLL's bitness differs from Outlook's",
  remedy: "reinstall-koff",
  needs: ["office"],
  run(f) {
    const bitness = f.office.bitness;
    if (!bitness) return [];
    return f.install.providerDlls
      .filter((d) => d.machine !== undefined && d.machine !== bitness)
      .map((d) => ({
        message: `${d.path} is ${d.machine} but Outlook is ${bitness}; MAPI cannot load it (ERROR_BAD_EXE_FORMAT)`,
        evidence: {
          path: d.path,
          dllMachine: d.machine,
          outlookBitness: bitness,
          officeSources: f.office.sources,
        },
      }));
  },
});
