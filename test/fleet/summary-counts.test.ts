/**
 * `fleet summary` reads counts that ingest keeps (src/fleet/sql.ts `summary_counts`). These tests
 * try to make them drift from the rows: hosts whose runs arrive newest first, oldest first and
 * both in one batch, a duplicate run, a finding id twice in one run at two severities, one hash
 * at two paths of one host, a host whose newer run drops a finding or moves a DLL into the
 * install folder; then the summary must equal the same summary computed directly from the rows
 * (the queries the summary ran before the counts, below). Also: a store written before migration
 * 3 gets its counts from migration 3; concurrent ingests of the same hosts all finish. On PGlite, and on PostgreSQL where it is installed.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { before, describe, it, type TestContext } from "node:test";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { checkMachine } from "../../src/app/check-machine.js";
import { openFleetDb, type FleetDb } from "../../src/fleet/db.js";
import { ingestReports, type IngestInput } from "../../src/fleet/ingest.js";
import { fleetSummary } from "../../src/fleet/summary.js";
import { checkJsonDocument } from "../../src/report/check-json.js";
import { toJsonText } from "../../src/report/json-text.js";
import { EXAMPLES } from "../helpers/repo.js";
import { startThrowawayPostgres } from "../helpers/postgres.js";
import { seededRandom } from "../helpers/prng.js";

type Doc = Record<string, unknown> & {
  runId: string;
  collectedAt: string;
  host: Record<string, unknown>;
  findings: Array<Record<string, unknown>>;
  triage: Array<Record<string, unknown>>;
};

/** The summary straight from the rows, over each host's latest run (no counts). */
const LATEST = "SELECT last_run_id AS run_id, host_id FROM hosts";
const DIRECT = {
  totals: `SELECT (SELECT COUNT(*) FROM hosts)::integer AS hosts, (SELECT COUNT(*) FROM runs)::integer AS runs,
    (SELECT COUNT(*) FROM findings)::integer AS findings, (SELECT COUNT(*) FROM files)::integer AS files`,
  findings: `WITH latest AS (${LATEST})
    SELECT f.check_id, (ARRAY['info','warning','error','critical'])[MAX(CASE f.severity WHEN 'info' THEN 1
      WHEN 'warning' THEN 2 WHEN 'error' THEN 3 WHEN 'critical' THEN 4 END)] AS severity,
      COUNT(DISTINCT l.host_id)::integer AS hosts
    FROM latest l JOIN findings f ON f.run_id = l.run_id GROUP BY f.check_id
    ORDER BY MAX(CASE f.severity WHEN 'info' THEN 1 WHEN 'warning' THEN 2 WHEN 'error' THEN 3
      WHEN 'critical' THEN 4 END) DESC, hosts DESC, f.check_id`,
  statuses: `WITH latest AS (${LATEST}) SELECT r.status, COUNT(*)::integer AS hosts
    FROM latest l JOIN runs r ON r.run_id = l.run_id GROUP BY r.status ORDER BY hosts DESC, r.status`,
  connectorVersions: `WITH latest AS (${LATEST}) SELECT r.connector_version AS version, COUNT(*)::integer AS hosts
    FROM latest l JOIN runs r ON r.run_id = l.run_id GROUP BY r.connector_version
    ORDER BY hosts DESC, r.connector_version NULLS LAST`,
  outlookVersions: `WITH latest AS (${LATEST}) SELECT r.outlook_version AS version, r.outlook_bitness AS bitness,
    COUNT(*)::integer AS hosts FROM latest l JOIN runs r ON r.run_id = l.run_id
    GROUP BY r.outlook_version, r.outlook_bitness
    ORDER BY hosts DESC, r.outlook_version NULLS LAST, r.outlook_bitness NULLS LAST`,
  providerHashes: `WITH latest AS (${LATEST})
    SELECT rf.sha256, fl.verdict, fl.signature_state, fl.signer, fl.file_version,
      COUNT(DISTINCT l.host_id)::integer AS hosts, BOOL_OR(NOT rf.in_install) AS outside_install,
      (COUNT(DISTINCT l.host_id) = 1 AND BOOL_OR(NOT rf.in_install)) AS single_host_outside,
      ARRAY_AGG(DISTINCT rf.path ORDER BY rf.path) AS paths
    FROM latest l JOIN run_files rf ON rf.run_id = l.run_id JOIN files fl ON fl.sha256 = rf.sha256
    WHERE rf.provider GROUP BY rf.sha256, fl.verdict, fl.signature_state, fl.signer, fl.file_version
    ORDER BY single_host_outside DESC,
      CASE fl.verdict WHEN 'malicious' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'error' THEN 2 ELSE 3 END,
      hosts, rf.sha256`,
};

async function direct(db: FleetDb): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, sql] of Object.entries(DIRECT)) out[k] = await db.query(sql);
  return out;
}

/** The summary's parts, in the shape of the direct queries' rows. */
async function kept(db: FleetDb): Promise<Record<string, unknown>> {
  const s = await fleetSummary(db);
  return {
    totals: [s.totals],
    findings: s.findings.map((f) => ({ check_id: f.checkId, severity: f.severity, hosts: f.hosts })),
    statuses: s.statuses,
    connectorVersions: s.connectorVersions,
    outlookVersions: s.outlookVersions,
    providerHashes: s.providerHashes.map((h) => ({
      sha256: h.sha256,
      verdict: h.verdict,
      signature_state: h.signatureState,
      signer: h.signer,
      file_version: h.fileVersion,
      hosts: h.hosts,
      outside_install: h.outsideInstall,
      single_host_outside: h.singleHostOutsideInstall,
      paths: h.paths,
    })),
  };
}

let templates: Doc[] = [];
before(async () => {
  for (const s of ["impostor-in-roaming", "healthy", "corrupt-cache", "bitness-mismatch"]) {
    const report = await checkMachine(createImageSnapshot(path.join(EXAMPLES, s)), {
      at: new Date("2026-01-01T00:00:00Z"),
    });
    templates.push(JSON.parse(toJsonText(checkJsonDocument(report))) as Doc);
  }
  templates = templates.filter((t) => t.triage.length > 0 || t.findings.length > 0);
  assert.ok(templates.length >= 2);
});

/** Every row a migration must keep: the runs' own columns (not their file keys), findings, sightings, hosts. */
async function storeRows(db: FleetDb) {
  return {
    runs: await db.query(`SELECT run_id, host_id, collected_at, ingested_at, origin, mode, source,
      tool_version, schema_version, status, exit_code, connector_version, outlook_version,
      outlook_bitness FROM runs ORDER BY run_id`),
    findings: await db.query("SELECT * FROM findings ORDER BY run_id, ordinal"),
    runFiles: await db.query("SELECT * FROM run_files ORDER BY run_id, path"),
    hosts: await db.query("SELECT * FROM hosts ORDER BY host_id"),
  };
}

const inputs = (docs: Doc[]): IngestInput[] =>
  docs.map((d, i) => ({ origin: `r-${i}`, read: async () => d }));

/**
 * Reports of `hosts` hosts, several runs each at random times and from random templates, some
 * edited: a finding repeated at another severity, a provider DLL seen at a second path, one
 * moved into or out of the install folder, findings dropped.
 */
function reports(seed: number, hosts: number): Doc[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const ids = Array.from({ length: hosts }, () => randomUUID());
  const out: Doc[] = [];
  for (let i = 0; i < hosts * 3; i++) {
    const d = structuredClone(pick(templates));
    d.runId = randomUUID();
    d.host["id"] = pick(ids);
    // Few distinct times, so that equal times (the later report wins) happen too.
    d.collectedAt = new Date(Date.UTC(2026, 10, 1 + Math.floor(rnd() * 5))).toISOString();
    d.findings = d.findings.filter(() => rnd() < 0.7);
    if (d.findings[0] && rnd() < 0.3)
      d.findings.push({ ...d.findings[0], severity: pick(["info", "warning", "error", "critical"]) });
    const dll = d.triage.find((t) => /kofmsp/i.test(String(t["windowsPath"] ?? t["path"])));
    if (dll && rnd() < 0.3)
      d.triage.push({ ...dll, windowsPath: `C:\\Users\\u${i % 3}\\AppData\\kofmsp.dll` });
    if (dll && rnd() < 0.2) dll["windowsPath"] = "C:\\Program Files\\Kerio\\Outlook Connector\\kofmsp.dll";
    out.push(d);
  }
  return out;
}

/**
 * Back to the schema of migration 5, keeping the data: each run's file set as five arrays in its
 * row again, `run_files` the view of them, no `file_sets`.
 */
const BACK_TO_MIGRATION_5_SCHEMA = `ALTER TABLE runs
    ADD COLUMN file_paths text[] NOT NULL DEFAULT '{}', ADD COLUMN file_sha256 text[] NOT NULL DEFAULT '{}',
    ADD COLUMN file_verdicts text[] NOT NULL DEFAULT '{}', ADD COLUMN file_provider boolean[] NOT NULL DEFAULT '{}',
    ADD COLUMN file_in_install boolean[] NOT NULL DEFAULT '{}';
  UPDATE runs r SET file_paths = s.paths, file_sha256 = s.sha256, file_verdicts = s.verdicts,
    file_provider = s.provider, file_in_install = s.in_install
  FROM file_sets s WHERE s.set_id = r.file_set;
  DROP VIEW run_files;
  ALTER TABLE runs DROP COLUMN file_set;
  DROP TABLE file_sets;
  CREATE VIEW run_files AS
  SELECT r.run_id, f.path, f.sha256, f.verdict, f.provider, f.in_install
  FROM runs r CROSS JOIN LATERAL unnest(r.file_paths, r.file_sha256, r.file_verdicts, r.file_provider,
    r.file_in_install) AS f (path, sha256, verdict, provider, in_install);`;
const BACK_TO_MIGRATION_5 = `${BACK_TO_MIGRATION_5_SCHEMA}
  DELETE FROM koff_migrations WHERE version >= 6`;

/**
 * Back to the schema of migration 3, keeping the data: `run_files` a table again (filled from the
 * view), the arrays migration 5 added dropped, the indexes migration 4 dropped made again.
 */
const BACK_TO_MIGRATION_3 = `${BACK_TO_MIGRATION_5_SCHEMA}
  CREATE TABLE run_files_3 AS SELECT * FROM run_files;
  DROP VIEW run_files;
  ALTER TABLE run_files_3 RENAME TO run_files;
  ALTER TABLE run_files ADD PRIMARY KEY (run_id, path);
  ALTER TABLE runs DROP COLUMN file_paths, DROP COLUMN file_sha256, DROP COLUMN file_verdicts,
    DROP COLUMN file_provider, DROP COLUMN file_in_install;
  CREATE INDEX runs_host ON runs (host_id, collected_at DESC);
  CREATE INDEX findings_check ON findings (check_id);
  CREATE INDEX run_files_sha256 ON run_files (sha256);
  DELETE FROM koff_migrations WHERE version >= 4`;

function engineSuite(name: string, open: () => Promise<{ url: string; stop(): void } | string>) {
  /** `n` connections to a fresh store of this engine for `body`; all closed, and the engine stopped, after it. */
  const withConnections = async (t: TestContext, n: number, body: (dbs: FleetDb[]) => Promise<void>) => {
    const engine = await open();
    if (typeof engine === "string") return t.skip(engine);
    const dbs: FleetDb[] = [];
    try {
      for (let i = 0; i < n; i++) dbs.push(await openFleetDb(engine.url));
      await body(dbs);
    } finally {
      for (const db of dbs) await db.close();
      engine.stop();
    }
  };

  describe(`summary counts kept by ingest, on ${name}`, () => {
    it("equal the summary computed from the rows, whatever order runs arrive in and however they are batched", async (t) => {
      const engine = await open();
      if (typeof engine === "string") return t.skip(engine);
      const db = await openFleetDb(engine.url);
      try {
        const docs = reports(7, 12);
        // Newest first for some hosts, oldest first for others, and a duplicate run.
        await ingestReports(db, inputs(docs.slice(0, 12)), { batch: 5 });
        assert.deepEqual(await kept(db), await direct(db));
        await ingestReports(db, inputs([...docs.slice(12).reverse(), docs[3]!]), { batch: 7 });
        assert.deepEqual(await kept(db), await direct(db));
        const more = reports(8, 12);
        await ingestReports(db, inputs(more), { batch: 1 });
        assert.deepEqual(await kept(db), await direct(db));
        // Hosts not seen since: each host's latest time, in UTC with milliseconds, oldest first.
        const latest = new Map<string, string>();
        for (const d of [...docs, ...more]) {
          const id = String(d.host["id"]);
          if ((latest.get(id) ?? "") < d.collectedAt) latest.set(id, d.collectedAt);
        }
        const since = await fleetSummary(db, { notSeenSince: new Date("2999-01-01T00:00:00Z") });
        assert.deepEqual(
          since.notSeenSince?.hosts.map((h) => [h.hostId, h.lastSeen]),
          [...latest].sort((a, b) => (a[1] === b[1] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : 1)),
        );
        const [{ n }] = (await db.query("SELECT COUNT(*)::integer AS n FROM hosts")) as [{ n: number }];
        assert.ok(n >= 12, `${n} hosts`);
      } finally {
        await db.close();
        engine.stop();
      }
    });

    it("concurrent ingests of the same hosts all finish (deadlocks are tried again) and keep the counts right", async (t) => {
      if (name === "PGlite") return t.skip("PGlite serves one connection: ingests cannot overlap");
      await withConnections(t, 4, async (dbs) => {
        // A fresh store: the four also race to migrate it (one migrates, the others wait for it).
        // One set of hosts shared by four ingests, each writing their runs in small batches.
        const docs = reports(11, 30);
        const shares = dbs.map((_, k) => docs.filter((_, i) => i % dbs.length === k));
        const results = await Promise.allSettled(
          dbs.map((db, k) => ingestReports(db, inputs(shares[k]!), { batch: 3 })),
        );
        assert.deepEqual(
          results.map((r) => (r.status === "fulfilled" ? [r.value.ingested, r.value.skipped] : r.reason)),
          shares.map((share) => [share.length, []]),
        );
        assert.deepEqual(await kept(dbs[0]!), await direct(dbs[0]!));
      });
    });

    it("processes opening one store at once migrate it once: fresh, and at migration 3", async (t) => {
      if (name === "PGlite") return t.skip("PGlite serves one connection: migrations cannot overlap");
      await withConnections(t, 3, async (dbs) => {
        // All three migrate at once; exactly one applies `want`, the others find it done.
        const race = async (want: number[]) => {
          const results = await Promise.allSettled(dbs.map((db) => ingestReports(db, [])));
          const migrated = results.map((r) =>
            r.status === "fulfilled" ? r.value.migrated : String(r.reason),
          );
          assert.ok(migrated.every(Array.isArray), String(migrated));
          assert.deepEqual(
            migrated.filter((m) => m.length > 0),
            [want],
            String(migrated),
          );
        };
        await race([1, 2, 3, 4, 5, 6]);
        await dbs[0]!.exec(BACK_TO_MIGRATION_3);
        await race([4, 5, 6]);
      });
    });

    it("a store written before migration 3 gets its counts from migration 3", async (t) => {
      const engine = await open();
      if (typeof engine === "string") return t.skip(engine);
      const db = await openFleetDb(engine.url);
      try {
        await ingestReports(db, inputs(reports(9, 8)), { batch: 4 });
        const want = await direct(db);
        // Back to the schema of migration 2, then migrated again.
        await db.exec(
          "DROP TABLE summary_counts; DROP INDEX hosts_last_seen; DELETE FROM koff_migrations WHERE version = 3",
        );
        const r = await ingestReports(db, []);
        assert.deepEqual(r.migrated, [3]);
        assert.deepEqual(await kept(db), want);
      } finally {
        await db.close();
        engine.stop();
      }
    });

    it("a store at migration 3, with data, keeps its rows and its summary through migrations 4, 5 and 6", async (t) => {
      const engine = await open();
      if (typeof engine === "string") return t.skip(engine);
      const db = await openFleetDb(engine.url);
      const indexes = async () =>
        (
          await db.query<{ name: string }>(
            "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
          )
        ).map((r) => r.name);
      const rows = () => storeRows(db);
      try {
        await ingestReports(db, inputs(reports(9, 8)), { batch: 4 });
        // Back to the schema of migration 3, then migrated again.
        await db.exec(BACK_TO_MIGRATION_3);
        assert.ok((await indexes()).includes("findings_check"));
        // (The summary itself would migrate the store first: the rows' own queries here.)
        const [wantRows, want] = [await rows(), await direct(db)];
        assert.ok(wantRows.runFiles.length > 0 && wantRows.findings.length > 0);
        const r = await ingestReports(db, []);
        assert.deepEqual(r.migrated, [4, 5, 6]);
        for (const gone of ["runs_host", "findings_check", "run_files_sha256"])
          assert.ok(!(await indexes()).includes(gone), gone);
        assert.deepEqual(await rows(), wantRows);
        assert.deepEqual(await kept(db), want);
        // And the store takes more reports after it.
        const more = await ingestReports(db, inputs(reports(99, 3)));
        assert.equal(more.ingested, 9);
        assert.deepEqual(await kept(db), await direct(db));
      } finally {
        await db.close();
        engine.stop();
      }
    });

    it("a store at migration 5, with data, keeps its rows and its summary through migration 6, which keys file sets as ingest does", async (t) => {
      const engine = await open();
      if (typeof engine === "string") return t.skip(engine);
      const db = await openFleetDb(engine.url);
      const keys = async () =>
        await db.query("SELECT run_id, encode(file_set, 'hex') AS set FROM runs ORDER BY run_id");
      // (Each run's order of files is checked by the keys below: a hash of the arrays in order.)
      const rows = () => storeRows(db);
      try {
        // Paths that the arrays' text form must quote and escape: quotes, backslashes, braces,
        // commas, white space, NULL in any case, an empty one, non-ASCII and astral characters.
        const hostile = reports(5, 2).map((d, i) => {
          const t = d.triage[0];
          if (t === undefined) return d;
          const odd = [
            'C:\\a "b"\\{x},y\\é😀\tz\\kofmsp.dll',
            "NULL",
            "nUlL",
            " ",
            "",
            '\\\\srv\\x"y\\kofmsp32.dll',
          ];
          d.triage.push(...odd.map((p) => ({ ...t, windowsPath: p })));
          d.runId = randomUUID();
          d.host["id"] = `hostile-${i}`;
          return d;
        });
        await ingestReports(db, inputs([...reports(9, 8), ...hostile]), { batch: 4 });
        const ingestKeys = await keys();
        assert.ok(ingestKeys.some((k) => k["set"] !== null) && ingestKeys.length > 20);
        const sets = await db.query<{ n: number }>("SELECT COUNT(*)::integer AS n FROM file_sets");
        const distinct = new Set(ingestKeys.map((k) => k["set"]).filter((k) => k !== null));
        assert.equal(sets[0]!.n, distinct.size, "one row per distinct set");
        await db.exec(BACK_TO_MIGRATION_5);
        const [wantRows, want] = [await rows(), await direct(db)];
        assert.ok(wantRows.runFiles.some((f) => (f as { path: string }).path.includes('"b"')));
        const r = await ingestReports(db, []);
        assert.deepEqual(r.migrated, [6]);
        assert.deepEqual(await rows(), wantRows);
        assert.deepEqual(await kept(db), want);
        // The migration's keys, computed in SQL, are those ingest computed.
        assert.deepEqual(await keys(), ingestKeys);
        // Reports seeing the same sets again add runs, not sets.
        const again = reports(9, 8).map((d) => ({ ...d, runId: randomUUID() }));
        assert.equal((await ingestReports(db, inputs(again))).ingested, again.length);
        const after = await db.query<{ n: number }>("SELECT COUNT(*)::integer AS n FROM file_sets");
        assert.equal(after[0]!.n, distinct.size);
        assert.deepEqual(await kept(db), await direct(db));
      } finally {
        await db.close();
        engine.stop();
      }
    });
  });
}

engineSuite("PGlite", async () => ({ url: "pglite:memory", stop: () => undefined }));
engineSuite("PostgreSQL", async () => startThrowawayPostgres());
