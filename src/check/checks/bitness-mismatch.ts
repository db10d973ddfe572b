import { windowsPathKey } from "../../paths/windows-path.js";
import type { OfficeFacts } from "../facts.js";
import { defineCheck } from "../finding.js";

/** Evidence of `bitness-mismatch`: one provider DLL whose machine type differs from Outlook's. */
export interface BitnessMismatchEvidence {
  /** The DLL (Windows path). */
  path: string;
  /** Its PE machine type, e.g. `"x64"`. */
  dllMachine: string;
  /** Outlook's (= Office's) bitness. */
  outlookBitness: NonNullable<OfficeFacts["bitness"]>;
  /** Where Outlook's bitness was read (registry paths). */
  officeSources: string[];
  /** True when judged on a DLL MAPISVC.INF registers; false when on every provider DLL of the install. */
  registered: boolean;
}

/**
 * The provider DLL MAPI loads has another machine type than Outlook's bitness. Judged on the DLLs
 * MAPISVC.INF makes MAPI load (wherever they are, from their triage records); only when nothing
 * registered could be judged, on every provider DLL of the install (a leftover copy of the other
 * bitness is not what MAPI loads).
 */
export default defineCheck<BitnessMismatchEvidence>({
  id: "bitness-mismatch",
  severity: "critical",
  title: "The provider DLL's bitness differs from Outlook's",
  remedy: "reinstall-koff",
  needs: ["office", "mapisvc", "triage", "install"],
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
          dllMachine: d.machine!,
          outlookBitness: bitness,
          officeSources: f.office.sources,
          registered: registered.length > 0,
        } satisfies BitnessMismatchEvidence,
      }));
  },
});
