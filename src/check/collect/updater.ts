/**
 * Collector `updater`: whether the connector's updater service is installed, with the evidence
 * (its Uninstall entry, its folder) or, when absent, what was looked for.
 *
 * Source: Microsoft, "Uninstall Registry Key"
 * (https://learn.microsoft.com/windows/win32/msi/uninstall-registry-key).
 */
import { readUninstallEntries } from "../../windows/index.js";
import { defineCollector } from "./collector.js";

export const updaterCollector = defineCollector({
  name: "updater",
  needs: ["registry", "fs"],
  provides: ["updater"],
  timeLimitMs: 300_000,
  async collect(snapshot, { knowledge: k }) {
    const entries = await readUninstallEntries(snapshot.registry, {
      displayNamePattern: k.updaterDisplayNamePattern,
    });
    const folder = (await snapshot.fs.stat(k.updaterService.folder))?.kind === "dir";
    const evidence = [
      ...entries.entries.map((e) => `Uninstall entry ${e.key}`),
      ...(folder ? [`folder ${k.updaterService.folder}`] : []),
    ];
    const updater = {
      installed: evidence.length > 0,
      evidence:
        evidence.length > 0
          ? evidence
          : [
              `no Uninstall entry matching ${k.updaterDisplayNamePattern}`,
              `no folder ${k.updaterService.folder}`,
            ],
    };
    return { facts: { updater } };
  },
});
