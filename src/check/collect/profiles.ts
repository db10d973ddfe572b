/**
 * Collector `profiles`: every user's Outlook profiles with their message services, the default
 * profile settings, and the full-path provider DLLs KOFF services register (searched for strays
 * and given as load positions to triage).
 *
 * Source: Microsoft, "MAPI profiles"
 * (https://learn.microsoft.com/office/client-developer/outlook/mapi/mapi-profiles).
 */
import { normalizeWindowsPath } from "../../paths/windows-path.js";
import { mapiLoadName, readOutlookProfiles } from "../../windows/index.js";
import type { ProfileFact } from "../facts.js";
import { defineCollector, type ProfileTarget } from "./collector.js";
import { isKoffService } from "./koff-service.js";

export const profilesCollector = defineCollector({
  name: "profiles",
  needs: ["registry"],
  provides: ["profiles", "defaultProfiles"],
  timeLimitMs: 300_000,
  async collect(snapshot, { knowledge: k }) {
    const read = await readOutlookProfiles(snapshot.registry, { koffDllPattern: k.providerDllPattern });
    const profiles: ProfileFact[] = read.profiles.map((p) => ({
      user: p.user,
      layout: p.office,
      name: p.name,
      key: p.key,
      isDefault: p.isDefault,
      hasKoff: p.services.some((s) => isKoffService(k, s)),
      services: p.services.map((s) => ({
        uid: s.uid,
        serviceName: s.serviceName,
        dllName: s.dllName,
        entryName: s.entryName,
        isKoff: isKoffService(k, s),
      })),
    }));
    const profileTargets: ProfileTarget[] = [];
    for (const p of read.profiles) {
      for (const s of p.services.filter((x) => isKoffService(k, x))) {
        for (const dll of [s.dllName, ...s.providers.map((x) => x.dllName)]) {
          if (!dll) continue;
          const load = mapiLoadName(dll);
          if (!load.isFullPath) continue;
          profileTargets.push({
            path: normalizeWindowsPath(load.loadName),
            where: `${p.user}: profile "${p.name}" ${s.key}`,
          });
        }
      }
    }
    const defaultProfiles = read.defaults
      .filter((d) => d.name !== undefined)
      .map((d) => ({ user: d.user, layout: d.office, name: d.name!, key: d.key }));
    return { facts: { profiles, defaultProfiles, profileTargets } };
  },
});
