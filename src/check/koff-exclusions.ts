/**
 * The antivirus exclusions a KOFF machine should have (GFI's three recommendations,
 * https://support.kerioconnect.gfi.com/hc/en-us/articles/360015201699-Antivirus-Exclusions-for-Kerio-Connect),
 * made concrete for this machine: the install folders actually found (not only the default x86
 * path), the Updater folder, and the cache root of each user who uses KOFF (a profile with the
 * service, or a cache root on disk). Shared by the `av-exclusion-missing` check and the
 * `av-exclusions` repair step, so both always mean the same paths.
 */
import type { ConnectorKnowledge } from "../knowledge/index.js";
import { expandWindowsPath, isUnderWindowsPath, windowsPathKey } from "../paths/windows-path.js";
import type { MachineFacts } from "./facts.js";

export function wantedExclusions(f: MachineFacts, k: ConnectorKnowledge): string[] {
  const koffUsers = new Set([
    ...f.profiles.filter((p) => p.hasKoff).map((p) => p.user),
    ...f.cacheRoots.map((r) => r.user),
  ]);
  const wanted: string[] = [];
  for (const p of k.avExclusionPaths) {
    if (p.includes("%")) for (const u of [...koffUsers].sort()) wanted.push(expandWindowsPath(p, u));
    else if (k.installFolders.some((d) => windowsPathKey(d) === windowsPathKey(p)))
      wanted.push(...(f.install.folders.length > 0 ? f.install.folders : [p]));
    else wanted.push(p);
  }
  return [...new Map(wanted.map((p) => [windowsPathKey(p), p])).values()];
}

/** The wanted exclusions that no configured exclusion covers. */
export function missingExclusions(f: MachineFacts, k: ConnectorKnowledge): string[] {
  const excluded = f.defender.exclusions.map((e) => expandWindowsPath(e.path));
  return wantedExclusions(f, k).filter((p) => !excluded.some((e) => isUnderWindowsPath(p, e)));
}
