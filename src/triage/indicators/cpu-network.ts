/**
 * Indicator-table row "High CPU / network" (docs/verdict.md): Suspicious = high CPU or network even
 * when not scanning; Malicious = persistent outbound connections.
 *
 * Our reading: the connections that matter are those of processes that loaded the DLL *other
 * than Outlook* (Outlook talks to many servers of its own, which say nothing about the provider):
 * KoffBackend.exe talking to anything but the configured Kerio server, or any unexpected host
 * process talking at all. One snapshot cannot show that a connection is *persistent*, so a
 * sighting is suspicious, never malicious. CPU use is not sampled (a single `tasklist` run gives
 * no rate), so that half of the row is reported as not measured. Only live mode sees this.
 */
import { seedCell } from "../seed-table.js";
import type { TriageSubject } from "../subject.js";
import type { Indicator } from "../types.js";

export function cpuNetworkIndicator(s: TriageSubject): Indicator {
  const base = { id: "cpu-network", source: "seed", row: "High CPU / network" } as const;
  if (s.loadingProcesses === undefined) {
    return {
      ...base,
      level: "unknown",
      evidence: "this mode cannot see connections (CPU use is never sampled)",
      cell: null,
    };
  }
  const outlook = "outlook.exe";
  const backend = s.knowledge.backendProcess.toLowerCase();
  const servers = (s.kerioServers ?? []).map((h) => h.toLowerCase());
  const toServer = (c: string) =>
    servers.some((h) => c.toLowerCase() === h || c.toLowerCase().startsWith(`${h}:`));
  const judged = s.loadingProcesses.filter((p) => p.image.toLowerCase() !== outlook);
  const describe = (p: { image: string; pid: number }, c: string) => `${p.image} (pid ${p.pid}) → ${c}`;
  // Any connection of an unexpected host counts; KoffBackend's only when it is not the server's.
  const foreign = judged.flatMap((p) => {
    const isBackend = p.image.toLowerCase() === backend;
    if (isBackend && servers.length === 0) return [];
    return (p.connections ?? []).filter((c) => !isBackend || !toServer(c)).map((c) => describe(p, c));
  });
  const unjudged =
    servers.length === 0
      ? judged
          .filter((p) => p.image.toLowerCase() === backend)
          .flatMap((p) => (p.connections ?? []).map((c) => describe(p, c)))
      : [];
  if (foreign.length > 0) {
    return {
      ...base,
      level: "suspicious",
      evidence: `outbound connection(s) beyond the Kerio server: ${foreign.join(", ")} (one snapshot: persistence not measured)`,
      cell: seedCell("High CPU / network", "suspicious", "connections beyond the Kerio server, seen once"),
      details: { connections: foreign, unjudged },
    };
  }
  if (unjudged.length > 0) {
    return {
      ...base,
      level: "unknown",
      evidence: `${unjudged.join(", ")}; the Kerio server's address is not known: pass --server ADDR to judge them`,
      cell: null,
      details: { connections: unjudged },
    };
  }
  return {
    ...base,
    level: "ok",
    evidence:
      "no connections beyond the Kerio server from processes that loaded it (Outlook's own are not judged; CPU not sampled)",
    cell: null,
  };
}
