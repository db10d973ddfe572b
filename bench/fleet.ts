/**
 * Fleet bench, against a throwaway PostgreSQL cluster (test/helpers/postgres.ts):
 *
 * 1. Ingest: N host reports (default 10,000), generated from the sample images' `check --json`
 *    documents with varied hosts, run ids, times and findings: connect, one `ingestReports` call
 *    (checked rows; hosts, runs with their file sightings, and findings by COPY), close; into a
 *    fresh migrated database each run. The reports are in memory: reading and parsing their
 *    files is not timed (`--keep DIR` writes them, for `fleet ingest`).
 * 2. The peer: `psql \copy` loading the same findings as CSV (written beforehand, not timed)
 *    into a table made `LIKE findings INCLUDING ALL` (the store's key), the physical floor; psql's start-up and connection are part of its time. Also into a bare table of the
 *    same columns, for reference. Reported as findings rows per second and the ratio of the
 *    medians (goal: at least 0.5), with each side's CPU (this process or psql, and the cluster's).
 * 3. Summary: `fleetSummary` at N/10 hosts (a second database) and at N hosts (goal: at most 10x).
 *
 * Usage: npm run bench:fleet [-- --hosts 10000] [--runs 3] [--keep DIR]. Needs Debian's
 * postgresql; never a timed test. CPU is read from Linux /proc (proc(5)).
 * Source: docs/fleet.md ("Bench").
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
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
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Ingest and \copy are timed this many times each, interleaved, each into a fresh database or table. */
const RUNS = Number(opt("runs") ?? 3);

/**
 * CPU seconds (user + system) used so far by the cluster's processes: every live `postgres`
 * process, and through the postmaster's children times the backends that have exited (psql's).
 * Linux /proc (proc(5), fields utime, stime, cutime, cstime); undefined elsewhere.
 */
function postgresCpu(): number | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  let ticks = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes(" (postgres) ")) continue;
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // exited meanwhile
    }
  }
  return ticks / 100; // USER_HZ, 100 on Linux
}

/** CPU seconds of this process, and of its exited children (psql). */
function ownCpu(): { self: number; children: number } {
  const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  const { user, system } = process.cpuUsage();
  return { self: (user + system) / 1e6, children: (Number(f[13]) + Number(f[14])) / 100 };
}

interface Timing {
  wall: number;
  cpu: number;
  server: number;
}

/** Wall and CPU seconds of `work`: this process's (or its children's) and the cluster's. */
async function timed(work: () => Promise<void> | void, children = false): Promise<Timing> {
  const [c, s, t] = [ownCpu(), postgresCpu() ?? NaN, process.hrtime.bigint()];
  await work();
  const wall = seconds(t);
  const c2 = ownCpu();
  return {
    wall,
    cpu: children ? c2.children - c.children : c2.self - c.self,
    server: (postgresCpu() ?? NaN) - s,
  };
}

const fmt = (t: Timing) =>
  `${t.wall.toFixed(2)} s (CPU: ${t.cpu.toFixed(2)} s client, ${t.server.toFixed(2)} s server)`;

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
    console.log(
      `fleet bench: ${HOSTS} host reports, ${findings} findings, PostgreSQL (throwaway cluster), ${RUNS} runs`,
    );
    if (KEEP !== undefined) {
      mkdirSync(KEEP, { recursive: true });
      for (const d of docs) writeFileSync(path.join(KEEP, `${d.runId}.json`), JSON.stringify(d));
      console.log(`  reports written to ${KEEP}`);
    }
    const inputs = (ds: CheckJsonDocument[]): IngestInput[] =>
      ds.map((d) => ({ origin: d.runId, read: async () => d }));
    const url = (db: string) => pg.url.replace("/postgres?", `/${db}?`);

    // The peer's input: the same findings as CSV, written once (not timed).
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

    const admin = await openFleetDb(pg.url);
    await migrate(admin);
    const ingests: Timing[] = [];
    const copies: Timing[] = [];
    const bareCopies: Timing[] = [];
    for (let i = 0; i < RUNS; i++) {
      // 1. Ingest into a fresh, migrated database: connect, every report in one call (as
      //    `fleet ingest` of a folder does: checked rows; hosts, runs with their file sightings,
      //    and findings by COPY), close.
      await admin.exec(`CREATE DATABASE ingest${i}`);
      const fresh = await openFleetDb(url(`ingest${i}`));
      await migrate(fresh);
      await fresh.close();
      ingests.push(
        await timed(async () => {
          const db = await openFleetDb(url(`ingest${i}`));
          const r = await ingestReports(db, inputs(docs));
          if (r.ingested !== HOSTS) throw new Error(`ingested ${r.ingested} of ${HOSTS}`);
          await db.close();
        }),
      );
      // 2. The peer, psql \copy of the same findings as CSV, into a table made like the store's
      //    `findings` (its key: LIKE … INCLUDING ALL), and into one of the same columns with no
      //    key. psql's start-up and connection are part of its time.
      for (const [list, like] of [
        [copies, "INCLUDING ALL"],
        [bareCopies, ""],
      ] as const) {
        const table = `findings_copy${i}${like === "" ? "_bare" : ""}`;
        await admin.exec(`CREATE TABLE ${table} (LIKE findings ${like})`);
        list.push(
          await timed(
            () =>
              void execFileSync(
                "psql",
                [pg.url, "-q", "-c", `\\copy ${table} FROM '${csv}' WITH (FORMAT csv)`],
                { stdio: "pipe" },
              ),
            true,
          ),
        );
      }
    }
    const mid = (ts: Timing[]): Timing => ({
      wall: median(ts.map((t) => t.wall)),
      cpu: median(ts.map((t) => t.cpu)),
      server: median(ts.map((t) => t.server)),
    });
    const [ingest, copy, bare] = [mid(ingests), mid(copies), mid(bareCopies)];
    const rate = (t: Timing) => `${(findings / t.wall).toFixed(0)} findings/s`;
    console.log(`  ingest (median of ${RUNS}): ${fmt(ingest)}: ${rate(ingest)}`);
    console.log(`    runs: ${ingests.map((t) => t.wall.toFixed(2)).join(", ")} s`);
    const t = process.hrtime.bigint();
    for (const d of docs) reportRows(d, d.runId);
    console.log(`    of which reading the reports into rows (no database): ${seconds(t).toFixed(2)} s`);
    console.log(`  psql \\copy into a copy of findings (its key): ${fmt(copy)}: ${rate(copy)}`);
    console.log(`    runs: ${copies.map((t) => t.wall.toFixed(2)).join(", ")} s`);
    console.log(`  psql \\copy into a bare table (no key): ${fmt(bare)}: ${rate(bare)}`);
    console.log(
      `  ingest / \\copy (rows per second, medians): ${(copy.wall / ingest.wall).toFixed(3)} (goal >= 0.5);` +
        ` against the bare table ${(bare.wall / ingest.wall).toFixed(3)}`,
    );
    console.log(
      `    each run's ratio: ${ingests.map((x, i) => (copies[i]!.wall / x.wall).toFixed(2)).join(", ")}`,
    );

    await serverBreakdown(url("breakdown"), admin, inputs(docs));

    // 3. The summary at N and at a tenth of the hosts (a database of its own in the same cluster).
    const large = await openFleetDb(url("ingest0"));
    const summaryLarge = await timeSummary(large);
    await large.close();
    const tenth = Math.floor(HOSTS / 10);
    await admin.exec("CREATE DATABASE tenth");
    const small = await openFleetDb(url("tenth"));
    await ingestReports(small, inputs(docs.slice(0, tenth)));
    const summarySmall = await timeSummary(small);
    await small.close();
    await admin.close();
    console.log(
      `  summary: ${(summarySmall * 1000).toFixed(1)} ms at ${tenth} hosts, ${(summaryLarge * 1000).toFixed(1)} ms at ${HOSTS}: ${(summaryLarge / summarySmall).toFixed(2)}x (goal <= 10x)`,
    );
  } finally {
    pg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * One more ingest (not timed with the others), with the server's CPU time per statement: the
 * backend's on-CPU nanoseconds from Linux /proc/PID/schedstat (sched-stats.rst) before and after
 * each statement (sent one at a time here, not pipelined), summed by statement over the batches.
 */
async function serverBreakdown(
  dbUrl: string,
  admin: Awaited<ReturnType<typeof openFleetDb>>,
  docs: IngestInput[],
): Promise<void> {
  await admin.exec("CREATE DATABASE breakdown");
  const db = await openFleetDb(dbUrl);
  const [{ pid } = { pid: 0 }] = await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  const schedstat = `/proc/${pid}/schedstat`;
  if (!existsSync(schedstat)) return void (await db.close());
  const onCpu = () => Number(readFileSync(schedstat, "utf8").split(" ")[0]) / 1e9;
  const spent = new Map<string, number>();
  // Ingest issues a batch's statements without waiting (pipelining): here each is sent only
  // once the one before is answered, so that the CPU between the two readings is its own.
  let previous: Promise<unknown> = Promise.resolve();
  const measure = <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const mine = previous.then(async () => {
      const before = onCpu();
      try {
        return await work();
      } finally {
        spent.set(label, (spent.get(label) ?? 0) + onCpu() - before);
      }
    });
    previous = mine.catch(() => undefined);
    return mine;
  };
  const label = (sql: string) => sql.trim().split(/\s+/).slice(0, 4).join(" ");
  const watched: typeof db = {
    describe: db.describe,
    close: () => db.close(),
    exec: (sql) => measure(label(sql), () => db.exec(sql)),
    query: (sql, params) => measure(label(sql), () => db.query(sql, params)),
    copyRows: (table, columns, rows) => measure(`COPY ${table}`, () => db.copyRows(table, columns, rows)),
  };
  await ingestReports(watched, docs);
  await db.close();
  const total = [...spent.values()].reduce((a, b) => a + b, 0);
  console.log(`  the server's CPU by statement, one more ingest: ${total.toFixed(2)} s`);
  for (const [what, s] of [...spent].sort((a, b) => b[1] - a[1]).filter(([, s]) => s >= 0.005))
    console.log(`    ${s.toFixed(3)} s  ${what}`);
}

/**
 * Median seconds of nine summaries, on a vacuumed store: the state a store reaches once
 * autovacuum has seen a load, and no autovacuum worker racing the timing.
 */
async function timeSummary(db: Awaited<ReturnType<typeof openFleetDb>>): Promise<number> {
  await db.exec("VACUUM (ANALYZE) hosts, runs, findings, files");
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t = process.hrtime.bigint();
    await fleetSummary(db, { notSeenSince: new Date("2026-11-01T00:00:00Z") });
    times.push(seconds(t));
  }
  return median(times);
}

await main();
