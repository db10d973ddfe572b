/**
 * Indicator-table row "Process loading it" (docs/verdict.md): Suspicious = unknown process (e.g.
 * svchost.exe); Malicious = script runner, PowerShell. Expected hosts come from the knowledge file
 * (OUTLOOK.EXE, KoffBackend.exe). Only live mode sees processes; elsewhere the level is `unknown`.
 */
import { seedCell } from "../seed-table.js";
import type { TriageSubject } from "../subject.js";
import type { Indicator } from "../types.js";

export function processIndicator(s: TriageSubject): Indicator {
  const base = { id: "process", source: "seed", row: "Process loading it" } as const;
  if (s.loadingProcesses === undefined) {
    return { ...base, level: "unknown", evidence: "this mode cannot see running processes", cell: null };
  }
  if (s.loadingProcesses.length === 0) {
    return { ...base, level: "ok", evidence: "no running process has it loaded", cell: null };
  }
  const lower = (xs: string[]) => new Set(xs.map((x) => x.toLowerCase()));
  const expected = lower(s.knowledge.expectedHostProcesses);
  const runners = lower(s.knowledge.scriptRunnerProcesses);
  const scripted = s.loadingProcesses.filter((p) => runners.has(p.image.toLowerCase()));
  const unknown = s.loadingProcesses.filter(
    (p) => !expected.has(p.image.toLowerCase()) && !runners.has(p.image.toLowerCase()),
  );
  const list = (ps: typeof scripted) => ps.map((p) => `${p.image} (pid ${p.pid})`).join(", ");
  const details = { processes: s.loadingProcesses };
  if (scripted.length > 0) {
    return {
      ...base,
      level: "malicious",
      evidence: `loaded by a script runner: ${list(scripted)}`,
      cell: seedCell("Process loading it", "malicious"),
      details,
    };
  }
  if (unknown.length > 0) {
    return {
      ...base,
      level: "suspicious",
      evidence: `loaded by unexpected process(es): ${list(unknown)}`,
      cell: seedCell("Process loading it", "suspicious"),
      details,
    };
  }
  return {
    ...base,
    level: "ok",
    evidence: `loaded only by ${list(s.loadingProcesses)}`,
    cell: null,
    details,
  };
}
