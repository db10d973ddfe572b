/** The fuzz run's text report: per-target counts, typed errors by code, slowest case, peak RSS, failures. */
import type { FuzzReport } from "./run-fuzz.js";

export function formatReport(r: FuzzReport, o: { timeLimitMs: number; rssLimitBytes: number }): string {
  const lines: string[] = [];
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  lines.push(`fuzz: seed ${r.seed}, ${r.cases} cases in ${(r.elapsedMs / 1000).toFixed(1)} s`);
  lines.push("target        cases       ok    typed  untyped   slow  mean ms  typed errors by code");
  for (const [name, t] of Object.entries(r.perTarget)) {
    const typed = Object.values(t.typed).reduce((a, b) => a + b, 0);
    const codes = Object.entries(t.typed)
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c}=${n}`)
      .join(" ");
    lines.push(
      `${name.padEnd(12)}${String(t.cases).padStart(7)}${String(t.ok).padStart(9)}${String(typed).padStart(9)}` +
        `${String(t.untyped).padStart(9)}${String(t.slow).padStart(7)}${(t.totalMs / Math.max(1, t.cases)).toFixed(1).padStart(9)}  ${codes}`,
    );
  }
  if (r.slowest)
    lines.push(
      `slowest case: ${r.slowest.target} #${r.slowest.index}, ${r.slowest.ms.toFixed(1)} ms (${r.slowest.reproduce})`,
    );
  lines.push(
    `peak RSS: ${mb(r.peakRssBytes)} (cap ${mb(o.rssLimitBytes)}); time limit ${o.timeLimitMs} ms per case`,
  );
  if (r.slowUnconfirmed.length > 0) {
    const worst = r.slowUnconfirmed.reduce((a, b) => (b.ms > a.ms ? b : a));
    lines.push(
      `${r.slowUnconfirmed.length} case(s) over the limit only under load (run again alone: under it), ` +
        `e.g. ${worst.target} #${worst.index}: ${worst.ms.toFixed(0)} ms in the run, ${worst.aloneMs.toFixed(0)} ms alone` +
        (r.slowUnconfirmedDropped > 0 ? `; ${r.slowUnconfirmedDropped} more not re-run` : ""),
    );
  }
  for (const f of r.failures)
    lines.push(
      `FAIL ${f.reason} ${f.target} #${f.index} (${f.ms.toFixed(1)} ms, ${f.size} bytes): ${f.reproduce}\n  ${(f.error ?? "").split("\n").slice(0, 8).join("\n  ")}`,
    );
  if (r.failureCount > r.failures.length)
    lines.push(`… and ${r.failureCount - r.failures.length} more failures`);
  return `${lines.join("\n")}\n`;
}
