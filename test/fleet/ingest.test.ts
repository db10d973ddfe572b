/**
 * `ingestReports` on both engines (embedded PGlite, a throwaway PostgreSQL cluster): hostile text
 * survives COPY (tabs, newlines, backslashes, `\N`, quotes, U+0000, unpaired surrogates, a 1 MB
 * string, non-BMP characters); wrong JSON types and out-of-range values are skipped with their
 * JSON pointer without stopping the batch; a report the database refuses is skipped alone; memory
 * is bounded by the batch (inputs are pulled at most two batches ahead of what is written); a
 * batch goes before it is full when the database is idle.
 */
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { checkMachine } from "../../src/app/check-machine.js";
import { FleetDbError, openFleetDb, type FleetDb } from "../../src/fleet/db.js";
import { ingestReports, type IngestInput } from "../../src/fleet/ingest.js";
import { HostReportError, reportRows, storableJson, storableText } from "../../src/fleet/report-rows.js";
import { checkJsonDocument } from "../../src/report/check-json.js";
import { toJsonText } from "../../src/report/json-text.js";
import { EXAMPLES } from "../helpers/repo.js";
import { startThrowawayPostgres } from "../helpers/postgres.js";

type Doc = Record<string, unknown> & {
  runId: string;
  host: Record<string, unknown>;
  findings: Array<Record<string, unknown>>;
  triage: Array<Record<string, unknown>>;
};

let template: Doc;
before(async () => {
  const report = await checkMachine(createImageSnapshot(path.join(EXAMPLES, "impostor-in-roaming")), {
    at: new Date("2026-01-01T00:00:00Z"),
  });
  template = JSON.parse(toJsonText(checkJsonDocument(report))) as Doc;
  assert.ok(template.findings.length > 0 && template.triage.length > 0);
});

/** A fresh copy of the template with its own run and host, changed by `edit`. */
function report(edit: (d: Doc) => void = () => undefined): Doc {
  const d = structuredClone(template);
  d.runId = randomUUID();
  d.host.id = randomUUID();
  edit(d);
  return d;
}

const inputs = (docs: unknown[]): IngestInput[] =>
  docs.map((d, i) => ({ origin: `doc-${i}`, read: async () => d }));

const BIG = "x".repeat(1 << 20);
const HOSTILE = [
  "tab\there",
  "new\nline\r\n",
  "back\\slash \\N \\. \\\\t",
  `quotes ' " \`,`,
  "nul\u0000inside",
  "emoji \u{1F600} and \u{10FFFF}",
  "lone \uD800 high, lone \uDC00 low",
  BIG,
];

describe("storable text (no database)", () => {
  it("U+0000 and unpaired surrogates become U+FFFD; pairs and everything else are kept", () => {
    assert.equal(storableText("a\u0000b"), "a\uFFFDb");
    assert.equal(storableText("\uD800x\uDC00"), "\uFFFDx\uFFFD");
    assert.equal(storableText("\u{1F600}"), "\u{1F600}");
    assert.equal(storableText("plain"), "plain");
  });

  it("jsonb text: the \\u0000 escape and lone-surrogate escapes become \\ufffd, in keys too; a literal \\\\u0000 stays", () => {
    const v = { "k\u0000": "a\u0000\uD800", lit: "\\u0000" };
    assert.deepEqual(JSON.parse(storableJson(v)), { "k\uFFFD": "a\uFFFD\uFFFD", lit: "\\u0000" });
  });
});

describe("reportRows refuses what the store cannot hold, naming the JSON pointer", () => {
  const cases: Array<[string, (d: Doc) => void, string]> = [
    ["not an object", () => undefined, ""],
    ["an old schema", (d) => (d["schemaVersion"] = 1), "/schemaVersion"],
    ["runId a number", (d) => ((d as Record<string, unknown>)["runId"] = 42), "/runId"],
    ["runId not a UUID", (d) => (d.runId = "run-1"), "/runId"],
    ["collectedAt not a time", (d) => (d["collectedAt"] = "yesterday"), "/collectedAt"],
    ["collectedAt an impossible date", (d) => (d["collectedAt"] = "2026-13-45T99:00:00Z"), "/collectedAt"],
    [
      "collectedAt a day that does not exist",
      (d) => (d["collectedAt"] = "2026-02-30T00:00:00Z"),
      "/collectedAt",
    ],
    [
      "collectedAt an hour that does not exist",
      (d) => (d["collectedAt"] = "2026-02-01T24:00:00Z"),
      "/collectedAt",
    ],
    ["host null", (d) => ((d as Record<string, unknown>)["host"] = null), "/host"],
    ["host id empty", (d) => (d.host["id"] = ""), "/host/id"],
    ["computerName a number", (d) => (d.host["computerName"] = 7), "/host/computerName"],
    ["findings an object", (d) => ((d as Record<string, unknown>)["findings"] = {}), "/findings"],
    ["evidence an array", (d) => (d.findings[0]!["evidence"] = []), "/findings/0/evidence"],
    [
      // JSON.stringify runs out of stack at some thousands of levels: a report to skip, not a stop.
      "evidence nested 20,000 levels deep",
      (d) => {
        let deep: Record<string, unknown> = {};
        for (let i = 0; i < 20_000; i++) deep = { a: deep };
        d.findings[0]!["evidence"] = deep;
      },
      "/findings/0/evidence",
    ],
    ["severity unknown", (d) => (d.findings[0]!["severity"] = "fatal"), "/findings/0/severity"],
    ["message a number", (d) => (d.findings[0]!["message"] = 1), "/findings/0/message"],
    ["size a string", (d) => (d.triage[0]!["size"] = "12"), "/triage/0/size"],
    ["size huge", (d) => (d.triage[0]!["size"] = 1e300), "/triage/0/size"],
    ["size negative", (d) => (d.triage[0]!["size"] = -1), "/triage/0/size"],
    ["sha256 not hex", (d) => (d.triage[0]!["sha256"] = "zz"), "/triage/0/sha256"],
    [
      "exit code huge",
      (d) => ((d["summary"] as Record<string, unknown>)["exitCode"] = 2 ** 40),
      "/summary/exitCode",
    ],
    [
      "install folder a number",
      (d) => void ((d["facts"] as Record<string, Record<string, unknown>>)["install"]!["folders"] = [3]),
      "/facts/install/folders/0",
    ],
  ];
  for (const [name, edit, pointer] of cases)
    it(`${name}: ${pointer || "/"}`, () => {
      const doc = pointer === "" ? [report()] : report(edit);
      assert.throws(
        () => reportRows(doc, "x"),
        (e) => e instanceof HostReportError && e.code === "not-a-host-report" && e.path === pointer,
      );
    });

  it("collectedAt is read into UTC, so times written with other offsets compare in order", () => {
    const east = reportRows(
      report((d) => (d["collectedAt"] = "2026-06-01T10:00:00+05:00")),
      "x",
    );
    const utc = reportRows(
      report((d) => (d["collectedAt"] = "2026-06-01T07:00:00Z")),
      "x",
    );
    assert.equal(east.run.collectedAt, "2026-06-01T05:00:00.000Z");
    assert.ok(east.run.collectedAt < utc.run.collectedAt, "the earlier time sorts first");
  });

  it("a valid report reads (the cases above fail for their own reason)", () => {
    assert.equal(reportRows(report(), "x").findings.length, template.findings.length);
  });
});

describe("ingestReports against a store that cannot be migrated (no database)", () => {
  /** A store whose migration lock is refused, as a store of another schema or a dead server refuses. */
  const refusing: FleetDb = {
    describe: "refusing store",
    query: async (sql) => {
      if (sql.includes("pg_advisory_lock")) throw new Error("lock refused");
      return [];
    },
    exec: async () => undefined,
    copyRows: async () => assert.fail("nothing is written before the store is migrated"),
    close: async () => undefined,
  };

  it("zero reports: the migration's db-unavailable", async () => {
    await assert.rejects(ingestReports(refusing, []), (e: unknown) => {
      assert.ok(e instanceof FleetDbError && e.code === "db-unavailable", String(e));
      assert.match(e.message, /migration failed: lock refused/);
      return true;
    });
  });

  it("many reports: reading stops once the migration has failed (the inputs are not all read), same error", async () => {
    let read = 0;
    const many: IngestInput[] = Array.from({ length: 2000 }, (_, i) => ({
      origin: `doc-${i}`,
      read: async () => {
        read++;
        await new Promise(setImmediate);
        return { notAReport: i };
      },
    }));
    await assert.rejects(ingestReports(refusing, many), (e: unknown) => {
      assert.ok(e instanceof FleetDbError && e.code === "db-unavailable", String(e));
      return true;
    });
    assert.ok(read < 100, `${read} of ${many.length} inputs read after the migration failed`);
  });
});

function engineSuite(engine: string, start: () => Promise<{ url: string; stop(): void } | string>): void {
  describe(`ingestReports on ${engine}`, () => {
    let server: { url: string; stop(): void } | undefined;
    let skip: string | false = false;
    let db: FleetDb;
    before(async () => {
      const s = await start();
      if (typeof s === "string") skip = s;
      else {
        server = s;
        db = await openFleetDb(s.url);
      }
    });
    after(async () => {
      if (server) {
        await db.close();
        server.stop();
      }
    });

    it("a collectedAt more than 285 years from 2000 (which timestamptz holds) is stored, and the other reports with it", async (t) => {
      if (skip) return t.skip(skip);
      const far = report((d) => (d["collectedAt"] = "2300-01-01T00:00:00Z"));
      const near = report();
      const r = await ingestReports(db, inputs([far, near]));
      assert.deepEqual([r.ingested, r.skipped], [2, []]);
      const [row] = await db.query<{ at: string }>(
        "SELECT to_char(collected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS at FROM runs WHERE run_id = $1",
        [far.runId],
      );
      assert.equal(row?.at, "2300-01-01 00:00:00");
    });

    it("hostile text survives COPY: every finding message, title and evidence reads back as written (U+0000, lone surrogates as U+FFFD)", async (t) => {
      if (skip) return t.skip(skip);
      const doc = report((d) => {
        d.findings = HOSTILE.map((s, i) => ({
          ...d.findings[0]!,
          message: s,
          title: `t${i} ${s.slice(0, 40)}`,
          evidence: { [`k\t${i}\u0000`]: s, nested: [s, "\\u0000", null] },
        }));
        d.host["computerName"] = "PC\twith\\tab\n";
        d.triage[0]!["windowsPath"] = `C:\\odd\tdir\\new\nline\\kofmsp.dll`;
      });
      const r = await ingestReports(db, inputs([doc]));
      assert.deepEqual([r.ingested, r.skipped], [1, []]);
      const rows = await db.query<{ message: string; title: string; evidence: string }>(
        "SELECT message, title, evidence::text AS evidence FROM findings WHERE run_id = $1 ORDER BY ordinal",
        [doc.runId],
      );
      assert.equal(rows.length, HOSTILE.length);
      rows.forEach((row, i) => {
        const want = storableText(HOSTILE[i]!);
        assert.equal(row.message, want, `message ${i}`);
        assert.equal(row.title, storableText(`t${i} ${HOSTILE[i]!.slice(0, 40)}`));
        assert.deepEqual(JSON.parse(row.evidence), {
          [`k\t${i}\uFFFD`]: want,
          nested: [want, "\\u0000", null],
        });
      });
      const [host] = await db.query<{ computer_name: string }>(
        "SELECT computer_name FROM hosts WHERE host_id = $1",
        [doc.host["id"]],
      );
      assert.equal(host?.computer_name, "PC\twith\\tab\n");
      const paths = await db.query<{ path: string }>("SELECT path FROM run_files WHERE run_id = $1", [
        doc.runId,
      ]);
      assert.ok(
        paths.some((p) => p.path === `C:\\odd\tdir\\new\nline\\kofmsp.dll`),
        JSON.stringify(paths),
      );
    });

    it("wrong types are skipped with their JSON pointer; the good reports of the same batch are written", async (t) => {
      if (skip) return t.skip(skip);
      const good = [report(), report()];
      const bad = [
        report((d) => (d.triage[0]!["size"] = "12")),
        report((d) => (d.findings[0]!["evidence"] = [1])),
        3,
        null,
      ];
      const r = await ingestReports(db, inputs([good[0], ...bad, good[1]]), { batch: 3 });
      assert.equal(r.ingested, 2);
      assert.deepEqual(
        r.skipped.map((s) => s.reason.match(/: (\/[^:]*):/)?.[1]),
        ["/triage/0/size", "/findings/0/evidence", "/", "/"],
      );
      const runs = await db.query("SELECT 1 FROM runs WHERE run_id = ANY ($1::uuid[])", [
        good.map((g) => g.runId),
      ]);
      assert.equal(runs.length, 2);
    });

    it("a report the database refuses (a 1 MB host id: too long for its index) is skipped alone; the batch's others are written", async (t) => {
      if (skip) return t.skip(skip);
      const good = [report(), report(), report()];
      const refused = report((d) => (d.host["id"] = randomBytes(1 << 19).toString("hex")));
      const r = await ingestReports(db, inputs([good[0], refused, good[1], good[2]]), { batch: 10 });
      assert.equal(r.ingested, 3);
      assert.equal(r.skipped.length, 1);
      assert.match(r.skipped[0]!.reason, /the database refused it/);
      const orphans = await db.query(
        `SELECT 1 FROM findings f LEFT JOIN runs r USING (run_id) WHERE r.run_id IS NULL
         UNION ALL SELECT 1 FROM run_files f LEFT JOIN runs r USING (run_id) WHERE r.run_id IS NULL
         UNION ALL SELECT 1 FROM runs r LEFT JOIN hosts h USING (host_id) WHERE h.host_id IS NULL`,
      );
      assert.deepEqual(orphans, [], "every finding and file has its run, every run its host");
    });

    it("a batch the database refuses is retried report by report while the batches after it are already sent; each is written once", async (t) => {
      if (skip) return t.skip(skip);
      const good = Array.from({ length: 7 }, () => report());
      const refused = report((d) => (d.host["id"] = randomBytes(1 << 19).toString("hex")));
      // Batches of two: the first holds the refused report, six more reports follow it.
      const r = await ingestReports(db, inputs([good[0], refused, ...good.slice(1)]), { batch: 2 });
      assert.equal(r.ingested, 7);
      assert.deepEqual(
        r.skipped.map((s) => s.origin),
        ["doc-1"],
      );
      const stored = await db.query<{ run_id: string }>(
        "SELECT run_id::text AS run_id FROM runs WHERE run_id = ANY ($1::uuid[]) ORDER BY run_id",
        [good.map((g) => g.runId)],
      );
      assert.deepEqual(
        stored.map((x) => x.run_id),
        good.map((g) => g.runId).sort(),
      );
      const [counted] = await db.query<{ runs: number }>(
        `SELECT n AS runs FROM summary_counts WHERE kind = 'total' AND key = '["runs"]'`,
      );
      const [all] = await db.query<{ n: number }>("SELECT COUNT(*)::integer AS n FROM runs");
      assert.equal(counted!.runs, all!.n, "the kept total of runs follows the runs written");
    });

    it("no other transaction's statements come between a transaction's BEGIN and its end, even while its lookups are slow to answer", async (t) => {
      if (skip) return t.skip(skip);
      const issued: string[] = [];
      const word = (sql: string) => sql.trim().split(/\s+/)[0]!.toUpperCase();
      const slow: FleetDb = {
        describe: db.describe,
        query: async <T extends object>(sql: string, params?: unknown[]) => {
          issued.push(word(sql));
          const answer = db.query<T>(sql, params);
          // Lookups answered late: the next batches are read and sent meanwhile.
          if (sql.includes("FOR UPDATE")) await new Promise((resolve) => setTimeout(resolve, 20));
          return answer;
        },
        exec: (sql) => (issued.push(word(sql)), db.exec(sql)),
        copyRows: (table, columns, rows) => (issued.push("COPY"), db.copyRows(table, columns, rows)),
        close: () => Promise.resolve(),
      };
      const refused = report((d) => (d.host["id"] = randomBytes(1 << 19).toString("hex")));
      const docs = [report(), refused, ...Array.from({ length: 8 }, () => report())];
      const r = await ingestReports(slow, inputs(docs), { batch: 2 });
      assert.equal(r.ingested, 9);
      assert.equal(r.skipped.length, 1);
      let open = false;
      for (const [i, w] of issued.entries()) {
        if (w === "BEGIN")
          assert.ok(!open, `BEGIN inside a transaction at statement ${i}: ${issued.join(" ")}`);
        if (w === "BEGIN") open = true;
        else if (w === "COMMIT" || w === "ROLLBACK") open = false;
      }
      assert.ok(
        issued.filter((w) => w === "BEGIN").length >= 5,
        "a transaction per batch, and per report retried",
      );
    });

    it("a database that fails for another reason (a lost connection) stops the ingest; no report is called bad", async (t) => {
      if (skip) return t.skip(skip);
      const [before] = await db.query<{ n: number }>("SELECT COUNT(*)::integer AS n FROM runs");
      const failing: FleetDb = {
        describe: db.describe,
        query: (sql, params) => db.query(sql, params),
        exec: (sql) => db.exec(sql),
        copyRows: () => Promise.reject(new Error("Connection terminated unexpectedly")),
        close: () => Promise.resolve(),
      };
      const skipped: string[] = [];
      await assert.rejects(
        ingestReports(failing, inputs([report(), report()]), { onSkip: (o) => skipped.push(o) }),
        (e) =>
          e instanceof FleetDbError && e.code === "db-unavailable" && /Connection terminated/.test(e.message),
      );
      assert.deepEqual(skipped, []);
      const [after] = await db.query<{ n: number }>("SELECT COUNT(*)::integer AS n FROM runs");
      assert.equal(after?.n, before?.n, "the failed batch was rolled back");
    });

    it("idempotent per run id: the same reports again write nothing and say so (upper-case ids too)", async (t) => {
      if (skip) return t.skip(skip);
      const docs = [report(), report()];
      assert.equal((await ingestReports(db, inputs(docs))).ingested, 2);
      const [before] = await db.query<{ n: number }>("SELECT COUNT(*)::integer AS n FROM findings");
      const again = docs.map((d) => ({ ...d, runId: d.runId.toUpperCase() }));
      const r = await ingestReports(db, inputs([...docs, ...again]));
      assert.deepEqual([r.ingested, r.duplicates], [0, 4]);
      const [after] = await db.query<{ n: number }>("SELECT COUNT(*)::integer AS n FROM findings");
      assert.equal(after?.n, before?.n);
      // A run id repeated in a later batch of the same call is found in the store.
      const [x, y, z] = [report(), report(), report()];
      const across = await ingestReports(db, inputs([x, y, z, x]), { batch: 2 });
      assert.deepEqual([across.ingested, across.duplicates], [3, 1]);
    });

    it("a report ingested again changes nothing, not even a host whose later run has the same time", async (t) => {
      if (skip) return t.skip(skip);
      const first = report((d) => (d.host["computerName"] = "FIRST"));
      const second = report((d) => {
        d.host = { ...d.host, id: first.host["id"], computerName: "SECOND" };
        d["collectedAt"] = first["collectedAt"];
      });
      await ingestReports(db, inputs([first]));
      await ingestReports(db, inputs([second]));
      const host = () =>
        db.query<{ last_run_id: string; computer_name: string }>(
          "SELECT last_run_id::text AS last_run_id, computer_name FROM hosts WHERE host_id = $1",
          [first.host["id"]],
        );
      const latest = await host();
      assert.deepEqual(latest, [{ last_run_id: second.runId, computer_name: "SECOND" }]);
      const again = await ingestReports(db, inputs([first]));
      assert.deepEqual([again.ingested, again.duplicates], [0, 1]);
      assert.deepEqual(await host(), latest);
    });

    it("memory is bounded by the batch: inputs are pulled at most two batches ahead of what is written", async (t) => {
      if (skip) return t.skip(skip);
      const batch = 20;
      let pulled = 0;
      let written = 0;
      let maxAhead = 0;
      const [stored] = await db.query<{ n: number }>("SELECT COUNT(*)::integer AS n FROM runs");
      const before = stored!.n;
      const watched: FleetDb = {
        describe: db.describe,
        query: db.query.bind(db),
        exec: db.exec.bind(db),
        close: async () => undefined,
        copyRows: async (table, columns, rows) => {
          await db.copyRows(table, columns, rows);
          if (table !== "runs") return;
          // Rows of the caller's open transaction count: the same connection sees them.
          const [n] = await db.query<{ n: number }>("SELECT COUNT(*)::integer AS n FROM runs");
          written = n!.n - before;
          maxAhead = Math.max(maxAhead, pulled - written);
        },
      };
      async function* lazy(): AsyncGenerator<IngestInput> {
        for (let i = 0; i < 10 * batch; i++) {
          pulled++;
          const d = report();
          yield { origin: `lazy-${i}`, read: async () => d };
        }
      }
      const r = await ingestReports(watched, lazy(), { batch });
      assert.equal(r.ingested, 10 * batch);
      assert.ok(maxAhead > 0 && maxAhead <= 2 * batch, `pulled ${maxAhead} reports ahead of the writes`);
    });

    it("on the growing schedule a batch goes before it is full once the database is idle", async (t) => {
      if (skip) return t.skip(skip);
      const sizes: number[] = [];
      let committed!: () => void;
      const firstCommit = new Promise<void>((resolve) => (committed = resolve));
      const watched: FleetDb = {
        describe: db.describe,
        query: async (sql, params) => {
          if (sql.includes("SELECT run_id::text AS run_id")) sizes.push((params![0] as unknown[]).length);
          const rows = await db.query(sql, params);
          if (sql === "COMMIT") committed();
          return rows as never;
        },
        exec: db.exec.bind(db),
        close: async () => undefined,
        copyRows: db.copyRows.bind(db),
      };
      async function* paced(): AsyncGenerator<IngestInput> {
        for (let i = 0; i < 1500; i++) {
          // 600 reports after the first batch, the reader waits for that batch to be written:
          // the database is then idle with 600 reports read, fewer than the next batch holds.
          if (i === 1100) {
            await firstCommit;
            await new Promise(setImmediate);
          }
          const d = report();
          yield { origin: `paced-${i}`, read: async () => d };
        }
      }
      const r = await ingestReports(watched, paced());
      assert.equal(r.ingested, 1500);
      assert.equal(sizes[0], 500, "the first batch");
      assert.ok(sizes[1]! >= 500 && sizes[1]! < 1000, `the second went early: ${sizes.join(", ")}`);
      assert.equal(
        sizes.reduce((a, b) => a + b, 0),
        1500,
      );
    });
  });
}

engineSuite("PGlite", async () => ({ url: "pglite:memory", stop: () => undefined }));
engineSuite("PostgreSQL", async () => startThrowawayPostgres());
