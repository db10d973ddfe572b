/**
 * Collector `mapisvc`: every MAPISVC.INF MAPI would read, and the KOFF service registrations in
 * them: the DLL name as registered, the file MAPI would load after its "32" rule, whether that
 * file exists, and the problems of the registered name.
 *
 * Source: Microsoft, "MapiSvc.inf" file format
 * (https://learn.microsoft.com/office/client-developer/outlook/mapi/mapisvc-inf-file-format).
 */
import { normalizeWindowsPath, windowsPathKey } from "../../paths/windows-path.js";
import { locateMapiSvcInf, type MapiDllNameIssue } from "../../windows/index.js";
import type { MapisvcRegistration } from "../facts.js";
import { defineCollector } from "./collector.js";
import { isKoffService } from "./koff-service.js";
import { canonicalCase, canonicalPath } from "./walk.js";

/** The registered name's problems, in the facts' vocabulary. */
function mapIssues(issues: readonly MapiDllNameIssue[], bare: boolean): string[] {
  const out = new Set<string>();
  for (const i of issues) {
    if (i === "period-in-directory" || i === "multiple-periods-in-name") out.add("extra-periods");
    else if (i === "already-has-32") out.add("has-32");
    else out.add(i);
  }
  if (bare) out.add("bare-name");
  return [...out];
}

export const mapisvcCollector = defineCollector({
  name: "mapisvc",
  needs: ["fs", "registry"],
  provides: ["mapisvc"],
  timeLimitMs: 300_000,
  async collect(snapshot, { knowledge: k, signal }) {
    const { fs, registry } = snapshot;
    const mapisvc = await locateMapiSvcInf(fs, { registry, koffDllPattern: k.providerDllPattern });
    const registrations: MapisvcRegistration[] = [];
    for (const file of mapisvc.files) {
      // The locator builds candidate paths from its own spelling; report the file as stored.
      const infPath = await canonicalCase(fs, windowsPathKey(file.path), signal);
      for (const service of file.services.filter((s) => isKoffService(k, s))) {
        const refs = [
          ...(service.dll ? [service.dll] : []),
          ...service.providers.flatMap((p) => (p.dll ? [p.dll] : [])),
        ];
        for (const ref of refs) {
          const loadPath = await canonicalPath(
            snapshot,
            ref.resolved ?? (ref.load.isFullPath ? normalizeWindowsPath(ref.load.loadName) : undefined),
          );
          if (
            registrations.some(
              (r) => r.file === infPath && r.loadPath === loadPath && r.registered === ref.load.registered,
            )
          )
            continue;
          registrations.push({
            file: infPath,
            section: service.section,
            key: ref.key,
            registered: ref.load.registered,
            loadPath,
            resolved: ref.resolved !== undefined,
            issues: mapIssues(ref.load.issues, ref.load.isBareName),
          });
        }
      }
    }
    const files = await Promise.all(
      mapisvc.files.map((f) => canonicalCase(fs, windowsPathKey(f.path), signal)),
    );
    return { facts: { mapisvc: { files, registrations } } };
  },
});
