/**
 * Seed row "High CPU / network": Suspicious = high CPU or network even when not scanning;
 * Malicious = persistent outbound connections. Our reading: connections of a loading process
 * to anything but the configured Kerio server. Only live mode sees this; elsewhere `unknown`.
 */
import { seedCell } from "../seed-table.js";
import type { TriageSubject } from "../subject.js";
import type { Indicator } from "../types.js";

/** CPU share of one loading process above which the row's Suspicious cell fires. */
const HIGH_CPU_SHARE = 0.5;

export function cpuNetworkIndicator(s: TriageSubject): Indicator {
  const base = { id: "cpu-network", source: "seed", row: "High CPU / network" } as const;
  if (s.loadingProcesses === undefined) {
    return { ...base, level: "unknown", evidence: "this mode cannot see CPU use or connections", cell: null };
  }
  const servers = (s.kerioServers ?? []).map((h) => h.toLowerCase());
  const all = s.loadingProcesses.flatMap((p) => (p.connections ?? []).map((c) => `${p.image} → ${c}`));
  if (servers.length === 0 && all.length > 0) {
    return {
      ...base,
      level: "unknown",
      evidence: `outbound connections ${all.join(", ")}; the Kerio server is not known, pass --server HOST to judge them`,
      cell: null,
      details: { connections: all },
    };
  }
  const foreign = s.loadingProcesses.flatMap((p) =>
    (p.connections ?? [])
      .filter((c) => !servers.some((h) => c.toLowerCase().startsWith(`${h}:`)))
      .map((c) => `${p.image} → ${c}`),
  );
  if (foreign.length > 0) {
    return {
      ...base,
      level: "malicious",
      evidence: `outbound connections other than the Kerio server: ${foreign.join(", ")}`,
      cell: seedCell("High CPU / network", "malicious", "connections other than the configured Kerio server"),
      details: { connections: foreign },
    };
  }
  const busy = s.loadingProcesses.filter((p) => (p.cpu ?? 0) > HIGH_CPU_SHARE);
  if (busy.length > 0) {
    return {
      ...base,
      level: "suspicious",
      evidence: `high CPU: ${busy.map((p) => `${p.image} ${Math.round((p.cpu ?? 0) * 100)}%`).join(", ")}`,
      cell: seedCell("High CPU / network", "suspicious"),
    };
  }
  return {
    ...base,
    level: "ok",
    evidence: "no high CPU and no connections beyond the Kerio server",
    cell: null,
  };
}
