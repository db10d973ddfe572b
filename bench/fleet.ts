/**
 * Fleet bench, against a throwaway PostgreSQL cluster (test/helpers/postgres.ts):
 *
 * 1. Ingest: N host reports (default 10,000), generated from the sample images' `check --json`
 *    documents with varied hosts, run ids, times and findings, through one `ingestReports` call
 *    (checked rows, hosts and runs, findings and files by COPY, ANALYZE), vs `psql \copy` loading
 *    the same findings as CSV into a table of the same columns, the physical floor. Reported as
 *    findings rows per second, and the ratio (goal: at least 0.5). The reports are in memory:
 *    reading and parsing their files is not timed (`--keep DIR` writes them, for `fleet ingest`).
 * 2. Summary: `fleetSummary` at N/10 hosts (a second database) and at N hosts (goal: at most 10x).
 *
 * Usage: npm run bench:fleet [-- --hosts 10000] [--keep DIR]. Needs Debian's postgresql; never a timed test.
 * Source: docs/fleet.md ("Bench").
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createImageSnapshot } from "../src/adapters/image/image-snapshot.js";
import { checkMachine } from "../src/app/check-machine.js";
import { openFleetDb } from "../src/fleet/db.js";
import { ingestReports, migrate, type IngestInput } from "../src/fleet/ingest.js";
import { reportRows } from "../src/fleet/report-rows.js";
import { fleetSummary } from "../src/fleet/summary.js";
import { checkJsonDocument, type CheckJsonDocument } from "../src/report/check-json.js";
import { toJsonText } from "../src/report/json-text.js";
import { EXAMPLES } from "../test/helpers/repo.js";
import { startThrowawayPostgres } from "../test/helpers/postgres.js";
import { seededRandom } from "../test/helpers/prng.js";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const HOSTS = Number(opt("hosts") ?? 10_000);
/** A folder to write the generated reports into, one `.json` each, to profile `fleet ingest` on. */
const KEEP = opt("keep");
/** Every sample image: the keys of examples/expected.json, the one list of them. */
const SCENARIOS = Object.keys(
  JSON.parse(readFileSync(path.join(EXAMPLES, "expected.json"), "utf8")) as object,
);

async function templates(): Promise<CheckJsonDocument[]> {
  const out: CheckJsonDocument[] = [];
  for (const s of SCENARIOS) {
    const report = await checkMachine(createImageSnapshot(path.join(EXAMPLES, s)), {
      at: new Date("2026-01-01T00:00:00Z"),
    });
    out.push(JSON.parse(toJsonText(checkJsonDocument(report))) as CheckJsonDocument);
  }
  return out;
}

/** N reports: a template each, a host of its own, a time in the last 90 days, a random subset of findings. */
function generate(t: CheckJsonDocument[], n: number, seed: number): CheckJsonDocument[] {
  const rnd = seededRandom(seed);
  const base = Date.parse("2026-12-01T00:00:00Z");
  return Array.from({ length: n }, (_, i) => {
    const doc = t[i % t.length]!;
    const findings = doc.findings.filter(() => rnd() < 0.8);
    return {
      ...doc,
      runId: randomUUID(),
      collectedAt: new Date(base - Math.floor(rnd() * 90 * 86_400_000)).toISOString(),
      host: { ...doc.host, id: randomUUID(), computerName: `PC-${String(i).padStart(5, "0")}` },
      findings,
    };
  });
}

const seconds = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

async function main(): Promise<void> {
  const pg = startThrowawayPostgres();
  if (typeof pg === "string") {
    console.log(`fleet bench: ${pg}`);
    return;
  }
  const work = mkdtempSync(path.join(tmpdir(), "koff-fleet-bench-"));
  try {
    const docs = generate(await templates(), HOSTS, 42);
    const findings = docs.reduce((n, d) => n + d.findings.length, 0);
    console.log(`fleet bench: ${HOSTS} host reports, ${findings} findings, PostgreSQL (throwaway cluster)`);
    if (KEEP !== undefined) {
      mkdirSync(KEEP, { recursive: true });
      for (const d of docs) writeFileSync(path.join(KEEP, `${d.runId}.json`), JSON.stringify(d));
      console.log(`  reports written to ${KEEP}`);
    }
    const inputs = (ds: CheckJsonDocument[]): IngestInput[] =>
      ds.map((d) => ({ origin: d.runId, read: async () => d }));

    // 1. Ingest: every report in one call, as `fleet ingest` of a folder does.
    const db = await openFleetDb(pg.url);
    await migrate(db);
    let t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const r = await ingestReports(db, inputs(docs));
    const ingestSeconds = seconds(t);
    const { user, system } = process.cpuUsage(cpu);
    console.log(
      `  ingest: ${r.ingested} runs in ${ingestSeconds.toFixed(2)} s: ${(findings / ingestSeconds).toFixed(0)} findings/s` +
        ` (this process's CPU: ${((user + system) / 1e6).toFixed(2)} s)`,
    );
    t = process.hrtime.bigint();
    for (const d of docs) reportRows(d, d.runId);
    console.log(`    of which reading the reports into rows (no database): ${seconds(t).toFixed(2)} s`);
    const summaryLarge = await timeSummary(db);

    // The summary at a tenth of the hosts, in a database of its own in the same cluster.
    const tenth = Math.floor(HOSTS / 10);
    await db.exec("CREATE DATABASE tenth");
    const small = await openFleetDb(pg.url.replace("/postgres?", "/tenth?"));
    await ingestReports(small, inputs(docs.slice(0, tenth)));
    const summarySmall = await timeSummary(small);
    await small.close();

    // 2. The floor: psql \copy of the same findings as CSV.
    const csv = path.join(work, "findings.csv");
    const q = (v: string | null) => (v === null ? "" : `"${v.replace(/"/g, '""')}"`);
    writeFileSync(
      csv,
      docs
        .flatMap((d) =>
          reportRows(d, d.runId).findings.map((f) =>
            [
              d.runId,
              f.ordinal,
              q(f.checkId),
              q(f.severity),
              q(f.title),
              q(f.message),
              q(f.remedy),
              q(f.evidence),
            ].join(","),
          ),
        )
        .join("\n") + "\n",
    );
    await db.exec("CREATE TABLE findings_copy (LIKE findings)");
    await db.close();
    t = process.hrtime.bigint();
    execFileSync("psql", [pg.url, "-q", "-c", `\\copy findings_copy FROM '${csv}' WITH (FORMAT csv)`], {
      stdio: "pipe",
    });
    const copySeconds = seconds(t);
    console.log(
      `  psql \\copy: ${findings} findings in ${copySeconds.toFixed(2)} s: ${(findings / copySeconds).toFixed(0)} findings/s`,
    );
    console.log(
      `  ingest / \\copy (rows per second): ${(copySeconds / ingestSeconds).toFixed(3)} (goal >= 0.5)`,
    );
    console.log(
      `  summary: ${(summarySmall * 1000).toFixed(1)} ms at ${tenth} hosts, ${(summaryLarge * 1000).toFixed(1)} ms at ${HOSTS}: ${(summaryLarge / summarySmall).toFixed(2)}x (goal <= 10x)`,
    );
  } finally {
    pg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Median seconds of five summaries, on a vacuumed store: the state a store reaches once
 * autovacuum has seen a load, and no autovacuum worker racing the timing.
 */
async function timeSummary(db: Awaited<ReturnType<typeof openFleetDb>>): Promise<number> {
  await db.exec("VACUUM (ANALYZE) hosts, runs, findings, files, run_files");
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    await fleetSummary(db, { notSeenSince: new Date("2026-11-01T00:00:00Z") });
    times.push(seconds(t));
  }
  return times.sort((a, b) => a - b)[2]!;
}

await main();
