import { windowsPathKey } from "../../paths/windows-path.js";
import { defineCheck } from "../finding.js";

/**
 * The provider DLL MAPI loads has another machine type than Outlook's bitness. Judged on the DLLs
 * that MAPISVC.INF makes MAPI load; only when nothing is registered, on every provider DLL of the
 * install (a leftover copy of the other bitness is not what MAPI loads).
 */
export default defineCheck({
  id: "bitness-mismatch",
  severity: "critical",
  title: "The provider DLL's bitness differs from Outlook's",
  remedy: "reinstall-koff",
  run(f) {
    const bitness = f.office.bitness;
    if (!bitness) return [];
    const loaded = new Set(
      f.mapisvc.registrations.flatMap((r) => (r.loadPath ? [windowsPathKey(r.loadPath)] : [])),
    );
    const judged =
      loaded.size > 0
        ? f.install.providerDlls.filter((d) => loaded.has(windowsPathKey(d.path)))
        : f.install.providerDlls;
    return judged
      .filter((d) => d.machine !== undefined && d.machine !== bitness)
      .map((d) => ({
        message: `${d.path} is ${d.machine} but Outlook is ${bitness}; MAPI cannot load it (ERROR_BAD_EXE_FORMAT)`,
        evidence: {
          path: d.path,
          dllMachine: d.machine,
          outlookBitness: bitness,
          officeSources: f.office.sources,
          registered: loaded.size > 0,
        },
      }));
  },
});
