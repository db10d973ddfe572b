/**
 * `fleet ingest` then `fleet summary` over the bundles of every sample image, on embedded PGlite
 * and on a throwaway PostgreSQL cluster (skipped with a message when PostgreSQL cannot start).
 * The expected counts come from examples/expected.json (the finding ids each image must report),
 * not from the code under test. Ingest is idempotent per run id; bad reports (not JSON, an old
 * schema, a wrong type, a truncated bundle) are reported and skipped without stopping the batch.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { openFleetDb } from "../../src/fleet/db.js";
import type { FleetSummary } from "../../src/fleet/summary.js";
import { EXAMPLES } from "../helpers/repo.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../helpers/postgres.js";
import { runCli } from "../helpers/run-cli.js";

const AT = "2026-01-01T00:00:00Z";
const expected = JSON.parse(readFileSync(path.join(EXAMPLES, "expected.json"), "utf8")) as Record<
  string,
  string[]
>;
const scenarios = Object.keys(expected).sort();

let scratch = "";
let bundles = "";
let reports = "";
let impostorReport = "";

before(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "koff-fleet-"));
  bundles = path.join(scratch, "bundles");
  reports = path.join(scratch, "reports");
  mkdirSync(path.join(bundles, "nested"), { recursive: true });
  mkdirSync(reports);
  for (const s of scenarios) {
    const r = await runCli([
      "collect",
      "--image",
      path.join(EXAMPLES, s),
      "--at",
      AT,
      "--out",
      path.join(bundles, `${s}.zip`),
    ]);
    assert.equal(r.code, 0, r.stderr);
  }
  // Bad inputs among the good ones: each is skipped, none stops the batch.
  writeFileSync(path.join(bundles, "not-json.json"), "{ not json");
  writeFileSync(
    path.join(bundles, "nested", "old-schema.json"),
    JSON.stringify({ schemaVersion: 1, findings: [] }),
  );
  writeFileSync(
    path.join(bundles, "nested", "truncated.zip"),
    readFileSync(path.join(bundles, `${scenarios[0]}.zip`)).subarray(0, 2000),
  );
  writeFileSync(path.join(bundles, "nested", "ignored.txt"), "not a report");
  const r = await runCli([
    "check",
    "--image",
    path.join(EXAMPLES, "impostor-in-roaming"),
    "--json",
    "--at",
    AT,
  ]);
  impostorReport = r.stdout;
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Hosts per finding id, as examples/expected.json says. */
function expectedHostsPerFinding(): Map<string, number> {
  const m = new Map<string, number>();
  for (const ids of Object.values(expected)) for (const id of new Set(ids)) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

const SEVERITY = { info: 0, warning: 1, error: 2, critical: 3 } as const;

function fleetSuite(
  engine: string,
  start: () => Promise<{ url: string; stop(): Promise<void> } | string>,
): void {
  describe(`fleet on ${engine}`, () => {
    let db: { url: string; stop(): Promise<void> } | undefined;
    let skip: string | false = false;
    before(async () => {
      const s = await start();
      if (typeof s === "string") skip = s;
      else db = s;
    });
    after(async () => db?.stop());

    const summary = async (...args: string[]): Promise<FleetSummary> => {
      const r = await runCli(["fleet", "summary", "--db", db!.url, "--json", ...args]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as FleetSummary;
    };

    it("ingests every sample bundle in a folder; bad reports are named and skipped (exit 3)", async (t) => {
      if (skip) return t.skip(skip);
      const r = await runCli(["fleet", "ingest", bundles, "--db", db!.url, "--at", AT]);
      assert.equal(r.code, 3, r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`^ingested ${scenarios.length} run\\(s\\) .*; 0 already there; 3 skipped`),
      );
      for (const bad of ["not-json.json", "old-schema.json", "truncated.zip"])
        assert.match(r.stderr, new RegExp(`skipped .*${bad.replace(".", "\\.")}: `), bad);
      assert.match(r.stderr, /schemaVersion 1; 2 is read/);
      assert.doesNotMatch(r.stderr, /ignored\.txt|internal error/);
    });

    it("summary: hosts per finding id (worst first), provider hashes, versions, as examples/expected.json says", async (t) => {
      if (skip) return t.skip(skip);
      const s = await summary();
      assert.equal(s.totals.hosts, scenarios.length);
      assert.equal(s.totals.runs, scenarios.length);
      assert.deepEqual(new Map(s.findings.map((f) => [f.checkId, f.hosts])), expectedHostsPerFinding());
      const ranks = s.findings.map((f) => SEVERITY[f.severity as keyof typeof SEVERITY]);
      assert.deepEqual(
        ranks,
        [...ranks].sort((a, b) => b - a),
        "worst first",
      );
      assert.equal(
        s.statuses.reduce((n, x) => n + x.hosts, 0),
        scenarios.length,
      );
      assert.equal(
        s.statuses.find((x) => x.status === "ok")?.hosts,
        Object.values(expected).filter((e) => e.length === 0).length,
      );
      // The planted DLL: one host, outside the install folder, malicious: first.
      const [first, ...rest] = s.providerHashes;
      assert.ok(first?.singleHostOutsideInstall, JSON.stringify(s.providerHashes));
      assert.equal(first.verdict, "malicious");
      assert.equal(first.hosts, 1);
      assert.match(first.paths[0]!, /\\AppData\\Roaming\\/);
      const installed = scenarios.filter((x) => !expected[x]!.includes("install-missing")).length;
      assert.deepEqual(
        rest.map((h) => [h.hosts, h.singleHostOutsideInstall, h.verdict]),
        [[installed, false, "clean"]],
      );
      assert.equal(s.connectorVersions.find((v) => v.version === null)?.hosts, scenarios.length - installed);
      const x64 = scenarios.filter((x) => expected[x]!.includes("bitness-mismatch")).length;
      assert.equal(
        s.outlookVersions.filter((v) => v.bitness === "x64").reduce((n, v) => n + v.hosts, 0),
        x64,
      );
    });

    it("ingest is idempotent per run id: the same bundles again change nothing", async (t) => {
      if (skip) return t.skip(skip);
      const before = await summary();
      const r = await runCli(["fleet", "ingest", bundles, "--db", db!.url, "--at", AT]);
      assert.match(r.stdout, new RegExp(`^ingested 0 run\\(s\\) .*; ${scenarios.length} already there`));
      assert.deepEqual(await summary(), before);
    });

    it("hosts not seen since a date; text and self-contained HTML renderings", async (t) => {
      if (skip) return t.skip(skip);
      assert.equal((await summary("--not-seen-since", "2000-01-01T00:00:00Z")).notSeenSince?.hosts.length, 0);
      const later = await summary("--not-seen-since", "2999-01-01T00:00:00Z");
      assert.equal(later.notSeenSince?.hosts.length, later.totals.hosts);
      const text = await runCli(["fleet", "summary", "--db", db!.url]);
      assert.match(text.stdout, /<-- one host, outside the install folder/);
      const html = await runCli(["fleet", "summary", "--db", db!.url, "--html"]);
      assert.match(html.stdout, /^<!doctype html>/);
      assert.match(html.stdout, /class="alert"/);
      assert.doesNotMatch(html.stdout, /<script|<link|src=|https?:\/\//i);
    });
    it("host reports as .json and JSON Lines (Velociraptor rows holding the report) go in; a repeated run id once", async (t) => {
      if (skip) return t.skip(skip);
      const doc = JSON.parse(impostorReport) as Record<string, unknown> & { host: { id: string } };
      const other = {
        ...doc,
        runId: "00000000-0000-4000-8000-000000000001",
        host: { ...doc.host, id: "host-from-jsonl" },
      };
      writeFileSync(path.join(reports, `${engine}.json`), impostorReport);
      writeFileSync(
        path.join(reports, `${engine}.jsonl`),
        [
          JSON.stringify({ Report: JSON.stringify(other) }),
          JSON.stringify({ Report: other }),
          JSON.stringify({ Report: 3 }),
        ].join("\n"),
      );
      const r = await runCli([
        "fleet",
        "ingest",
        path.join(reports, `${engine}.json`),
        path.join(reports, `${engine}.jsonl`),
        "--db",
        db!.url,
      ]);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stdout, /^ingested 2 run\(s\) .*; 1 already there; 1 skipped/);
      assert.match(r.stderr, /\.jsonl:3: not a koff-doctor host report/);
      const s = await summary();
      assert.equal(s.totals.hosts, scenarios.length + 1);
      assert.equal(s.findings.find((f) => f.checkId === "stray-provider-dll")?.hosts, 2);
    });
  });
}

fleetSuite("PGlite", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "koff-fleet-pglite-"));
  return { url: `pglite:${dir}`, stop: async () => rmSync(dir, { recursive: true, force: true }) };
});

fleetSuite("PostgreSQL", async () => {
  const pg: ThrowawayPostgres | string = startThrowawayPostgres();
  if (typeof pg === "string") return pg;
  return { url: pg.url, stop: async () => pg.stop() };
});

describe("fleet --db", () => {
  it("a --db that is neither postgres:// nor pglite: is a usage error, its password never echoed", async () => {
    const r = await runCli(["fleet", "summary", "--db", "mysql://u:secret@h/db"]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /bad-db-url/);
    assert.doesNotMatch(r.stderr, /secret/);
  });

  it("a server that refuses is exit 3 with the reason, the password never echoed", async () => {
    const r = await runCli(["fleet", "summary", "--db", "postgres://u:secret@127.0.0.1:1/db"]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /db-unavailable/);
    assert.doesNotMatch(r.stderr, /secret/);
  });

  it("migrations are versioned and applied once", async () => {
    const db = await openFleetDb("pglite:memory");
    try {
      const { migrate } = await import("../../src/fleet/ingest.js");
      assert.deepEqual(await migrate(db), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(await migrate(db), []);
      assert.deepEqual(await db.query("SELECT version FROM koff_migrations"), [
        { version: 1 },
        { version: 2 },
        { version: 3 },
        { version: 4 },
        { version: 5 },
        { version: 6 },
      ]);
    } finally {
      await db.close();
    }
  });
});
