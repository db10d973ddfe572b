import { windowsPathKey } from "../../paths/windows-path.js";
import { defineCheck } from "../finding.js";

/**
 * The provider DLL MAPI loads has another machine type than Outlook's bitness. Judged on the DLLs
 * MAPISVC.INF makes MAPI load (wherever they are, from their triage records); only when nothing
 * registered could be judged, on every provider DLL of the install (a leftover copy of the other
 * bitness is not what MAPI loads).
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
    const registered = f.triage
      .filter((t) => t.windowsPath && loaded.has(windowsPathKey(t.windowsPath)) && t.pe)
      .map((t) => ({ path: t.windowsPath!, machine: t.pe!.machine }));
    const judged = registered.length > 0 ? registered : f.install.providerDlls;
    return judged
      .filter((d) => d.machine !== undefined && d.machine !== bitness)
      .map((d) => ({
        message: `${d.path} is ${d.machine} but Outlook is ${bitness}; MAPI cannot load it (ERROR_BAD_EXE_FORMAT)`,
        evidence: {
          path: d.path,
          dllMachine: d.machine,
          outlookBitness: bitness,
          officeSources: f.office.sources,
          registered: registered.length > 0,
        },
      }));
  },
});
