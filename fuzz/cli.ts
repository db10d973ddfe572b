/**
 * `npm run fuzz -- --cases N [--seed S] [--target NAME]... [--case K] [--time-limit-ms 2000]
 * [--jobs J] [--json]`: runs the seeded fuzz harness over the targets of fuzz/targets/ and prints
 * per-target counts (cases, ok, typed errors by code, untyped, slow), the slowest case with its
 * reproducer, and the peak RSS. Exits 1 when any case threw an untyped error, hung, crashed its
 * worker or ran over the time limit, or when the peak RSS is over the cap; 2 on bad arguments.
 */
import { parseArgs } from "node:util";
import { runFuzz, type FuzzReport } from "./run-fuzz.js";
import { FUZZ_TARGETS } from "./targets/index.js";

const TARGETS_MODULE = new URL("./targets/index.js", import.meta.url).href;

function int(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    process.stderr.write(`fuzz: --${name} takes a non-negative integer, not ${v}\n`);
    process.exit(2);
  }
  return n;
}

export function formatReport(r: FuzzReport, o: { timeLimitMs: number; rssLimitBytes: number }): string {
  const lines: string[] = [];
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  lines.push(`fuzz: seed ${r.seed}, ${r.cases} cases in ${(r.elapsedMs / 1000).toFixed(1)} s`);
  lines.push("target        cases       ok    typed  untyped   slow  typed errors by code");
  for (const [name, t] of Object.entries(r.perTarget)) {
    const typed = Object.values(t.typed).reduce((a, b) => a + b, 0);
    const codes = Object.entries(t.typed)
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c}=${n}`)
      .join(" ");
    lines.push(
      `${name.padEnd(12)}${String(t.cases).padStart(7)}${String(t.ok).padStart(9)}${String(typed).padStart(9)}` +
        `${String(t.untyped).padStart(9)}${String(t.slow).padStart(7)}  ${codes}`,
    );
  }
  if (r.slowest)
    lines.push(`slowest case: ${r.slowest.target} #${r.slowest.index}, ${r.slowest.ms.toFixed(1)} ms (${r.slowest.reproduce})`);
  lines.push(`peak RSS: ${mb(r.peakRssBytes)} (cap ${mb(o.rssLimitBytes)}); time limit ${o.timeLimitMs} ms per case`);
  for (const f of r.failures)
    lines.push(
      `FAIL ${f.reason} ${f.target} #${f.index} (${f.ms.toFixed(1)} ms, ${f.size} bytes): ${f.reproduce}\n  ${(f.error ?? "").split("\n").slice(0, 8).join("\n  ")}`,
    );
  if (r.failureCount > r.failures.length) lines.push(`… and ${r.failureCount - r.failures.length} more failures`);
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      cases: { type: "string" },
      seed: { type: "string" },
      target: { type: "string", multiple: true },
      case: { type: "string" },
      "time-limit-ms": { type: "string" },
      "hang-ms": { type: "string" },
      jobs: { type: "string" },
      "rss-limit-mb": { type: "string" },
      json: { type: "boolean" },
    },
  });
  const known = FUZZ_TARGETS.map((t) => t.name);
  const names = (values.target ?? []).flatMap((t) => t.split(","));
  for (const n of names)
    if (!known.includes(n)) {
      process.stderr.write(`fuzz: no target ${n}; targets: ${known.join(", ")}\n`);
      return 2;
    }
  const timeLimitMs = int("time-limit-ms", values["time-limit-ms"], 2000);
  const rssLimitBytes = int("rss-limit-mb", values["rss-limit-mb"], 512) * 1024 * 1024;
  const only = values.case === undefined ? undefined : int("case", values.case, 0);
  if (only !== undefined && names.length !== 1) {
    process.stderr.write("fuzz: --case K needs exactly one --target NAME\n");
    return 2;
  }
  const cases = int("cases", values.cases, 1000);
  const report = await runFuzz({
    cases,
    seed: int("seed", values.seed, 1),
    cycle: names.length > 0 ? names : known,
    targetModules: [TARGETS_MODULE],
    timeLimitMs,
    hangMs: int("hang-ms", values["hang-ms"], Math.max(10_000, 5 * timeLimitMs)),
    jobs: Math.max(1, int("jobs", values.jobs, 1)),
    only,
    onProgress: values.json
      ? undefined
      : (done, total) => {
          if (done % 10_000 === 0) process.stderr.write(`fuzz: ${done}/${total} cases\n`);
        },
  });
  if (only !== undefined && report.failures.length === 0) {
    const t = Object.values(report.perTarget)[0];
    process.stdout.write(`case ${only}: ${t && t.ok ? "ok" : `typed ${JSON.stringify(t?.typed)}`}\n`);
  }
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, { timeLimitMs, rssLimitBytes }));
  return report.failureCount > 0 || report.peakRssBytes > rssLimitBytes ? 1 : 0;
}

process.exitCode = await main();
