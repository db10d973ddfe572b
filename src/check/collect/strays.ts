/**
 * Collector `strays`: provider DLLs (`kofmsp*.dll`) outside the vendor and install folders,
 * where a planted or leftover copy turns up (user profile folders, temp folders, ProgramData,
 * the Windows folders) and wherever MAPISVC.INF or a profile registers one by full path. Each
 * is triaged. The search is bounded; when it stops at its cap the collector says so.
 *
 * Source: MITRE ATT&CK T1574.001, "Hijack Execution Flow: DLL Search Order Hijacking"
 * (https://attack.mitre.org/techniques/T1574/001/).
 */
import { READ_LIMITS } from "../../limits.js";
import { isUnderWindowsPath, windowsPathKey } from "../../paths/windows-path.js";
import { classifyLocation } from "../../triage/location.js";
import type { StrayFact } from "../facts.js";
import { defineCollector } from "./collector.js";
import { canonicalCase, walk } from "./walk.js";

/** Entries the whole stray search may list. */
export const MAX_STRAY_ENTRIES = READ_LIMITS.strayWalkEntries;

/** Per-user places a planted or leftover provider DLL turns up, with walk depth. */
const USER_STRAY_SPOTS: Array<[string, number]> = [
  ["AppData\\Roaming", 4],
  ["AppData\\Local\\Temp", 3],
  ["AppData\\LocalLow", 3],
  ["Downloads", 3],
  ["Desktop", 2],
  ["Documents", 2],
];
/** Machine-wide places, with walk depth (0 = the folder itself only). */
const MACHINE_STRAY_SPOTS: Array<[string, number]> = [
  ["C:\\Windows\\Temp", 2],
  ["C:\\Temp", 2],
  ["C:\\ProgramData", 3],
  ["C:\\Users\\Public", 3],
  ["C:\\Windows", 0],
  ["C:\\Windows\\System32", 0],
  ["C:\\Windows\\SysWOW64", 0],
];

export const straysCollector = defineCollector({
  name: "strays",
  needs: ["fs"],
  provides: ["strays", "triage"],
  reads: ["users", "install", "mapisvc", "profiles"],
  timeLimitMs: 300_000,
  async collect(snapshot, { knowledge: k, collected, signal }) {
    const { fs } = snapshot;
    const folders = collected.install?.folders ?? [];
    const strayPaths = new Map<string, number>();
    const budget = { left: MAX_STRAY_ENTRIES, signal };
    const spots: Array<[string, number]> = [
      ...(collected.users ?? []).flatMap((u) =>
        USER_STRAY_SPOTS.map(([rel, d]): [string, number] => [`C:\\Users\\${u}\\${rel}`, d]),
      ),
      ...MACHINE_STRAY_SPOTS,
    ];
    for (const [spot, depth] of spots) {
      await walk(fs, spot, depth, budget, (p, e) => {
        if (k.providerDllNames.includes(e.name.toLowerCase())) strayPaths.set(windowsPathKey(p), e.size);
      });
    }
    // Registered load paths (MAPISVC.INF, profiles) are searched too, wherever they point.
    const registeredTargets = [
      ...(collected.mapisvc?.registrations ?? []).map((r) => r.loadPath),
      ...(collected.profileTargets ?? []).map((t) => t.path),
    ];
    for (const target of registeredTargets) {
      if (!target) continue;
      const st = await fs.stat(target);
      if (st?.kind === "file") strayPaths.set(windowsPathKey(target), st.size);
    }
    const strays: StrayFact[] = [];
    for (const [key, size] of strayPaths) {
      const path = await canonicalCase(fs, key, signal);
      if (
        k.vendorFolders.some((v) => isUnderWindowsPath(path, v)) ||
        folders.some((f) => isUnderWindowsPath(path, f))
      )
        continue;
      strays.push({ path, size, location: classifyLocation(path, k).label });
    }
    return {
      facts: { strays, strayWalkCapped: budget.left < 0 },
      triage: strays.map((s) => s.path),
    };
  },
});
