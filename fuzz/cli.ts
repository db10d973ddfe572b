/**
 * `npm run fuzz -- --cases N [--seed S] [--target NAME]... [--case K] [--time-limit-ms 2000]
 * [--jobs J] [--json]`: runs the seeded fuzz harness over the targets of fuzz/targets/ and prints
 * per-target counts (cases, ok, typed errors by code, untyped, slow), the slowest case with its
 * reproducer, and the peak RSS. Exits 1 when any case threw an untyped error, hung, crashed its
 * worker or ran over the time limit, or when the peak RSS is over the cap; 2 on bad arguments.
 */
import { parseArgs } from "node:util";
import { formatReport } from "./report.js";
import { runFuzz } from "./run-fuzz.js";
import { FUZZ_TARGETS, targetCycle } from "./targets/index.js";

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

const USAGE =
  "usage: npm run fuzz -- [--cases N] [--seed S] [--target NAME]... [--case K] [--time-limit-ms MS]\n" +
  "                       [--hang-ms MS] [--jobs J] [--rss-limit-mb MB] [--json]\n";

const OPTIONS = {
  help: { type: "boolean" },
  cases: { type: "string" },
  seed: { type: "string" },
  target: { type: "string", multiple: true },
  case: { type: "string" },
  "time-limit-ms": { type: "string" },
  "hang-ms": { type: "string" },
  jobs: { type: "string" },
  "rss-limit-mb": { type: "string" },
  json: { type: "boolean" },
} as const;

/** The command line, or `undefined` (after printing why) when it does not parse. */
function parseCommandLine() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (e) {
    process.stderr.write(`fuzz: ${(e as Error).message}\n${USAGE}`);
    return undefined;
  }
}

async function main(): Promise<number> {
  const values = parseCommandLine();
  if (values === undefined) return 2;
  if (values.help) {
    process.stdout.write(`${USAGE}targets: ${FUZZ_TARGETS.map((t) => t.name).join(", ")}\n`);
    return 0;
  }
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
    cycle: names.length > 0 ? names : targetCycle(FUZZ_TARGETS),
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
  process.stdout.write(
    values.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : formatReport(report, { timeLimitMs, rssLimitBytes }),
  );
  return report.failureCount > 0 || report.peakRssBytes > rssLimitBytes ? 1 : 0;
}

process.exitCode = await main();
