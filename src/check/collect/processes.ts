/**
 * Collectors of the running machine (live mode): `processes` (every process with its loaded
 * modules), `network` (connections), and `processModules` (which possible provider hosts'
 * module lists could not be read, so "not loaded" cannot be concluded). A tool that fails makes
 * its facts unknown, never "nothing there".
 *
 * Source: Microsoft, "tasklist" and "netstat" command references
 * (https://learn.microsoft.com/windows-server/administration/windows-commands/tasklist,
 * https://learn.microsoft.com/windows-server/administration/windows-commands/netstat).
 */
import { defineCollector } from "./collector.js";

/** `could not be read: …` for a tool that failed. */
const failure = (e: unknown) => `could not be read: ${(e as Error).message}`;

export const processesCollector = defineCollector({
  name: "processes",
  needs: ["processes"],
  provides: ["processes"],
  timeLimitMs: 300_000,
  async collect(snapshot) {
    try {
      return { facts: { processes: await snapshot.processes!.list() } };
    } catch (e) {
      return { facts: {}, unknown: { processes: failure(e) } };
    }
  },
});

export const networkCollector = defineCollector({
  name: "network",
  needs: ["network"],
  provides: [],
  timeLimitMs: 300_000,
  async collect(snapshot) {
    try {
      return { facts: { connections: await snapshot.network!.connections() } };
    } catch (e) {
      return { facts: {}, unknown: { network: failure(e) } };
    }
  },
});

/**
 * Processes whose module list could not be read (tasklist prints N/A without elevation), among
 * those that could host the provider: Outlook and KoffBackend, the indexer, the script runners
 * and the generic DLL hosts. Protected services (antivirus, licensing) always show N/A and never
 * load a MAPI provider, so they do not count.
 */
export const processModulesCollector = defineCollector({
  name: "processModules",
  needs: ["processes"],
  provides: [],
  reads: ["processes"],
  timeLimitMs: 60_000,
  async collect(_snapshot, { knowledge: k, collected }) {
    const hostNames = new Set(
      [
        ...k.expectedHostProcesses,
        ...k.scriptRunnerProcesses,
        "rundll32.exe",
        "regsvr32.exe",
        "svchost.exe",
        "dllhost.exe",
      ].map((n) => n.toLowerCase()),
    );
    const unreadable = (collected.processes ?? []).filter(
      (p) => p.modules === undefined && hostNames.has(p.image.toLowerCase()),
    );
    if (unreadable.length === 0) return { facts: { unreadableModuleHosts: [] } };
    const shown = unreadable.slice(0, 5).map((p) => p.image);
    return {
      facts: { unreadableModuleHosts: unreadable.map((p) => p.image) },
      unknown: {
        processModules: `modules of ${unreadable.length} process(es) could not be read (run elevated): ${shown.join(", ")}`,
      },
    };
  },
});
