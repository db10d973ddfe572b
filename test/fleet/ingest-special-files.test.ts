/**
 * `fleet ingest FOLDER` meets what a careless admin's share holds: a FIFO (never opened, so the
 * run cannot hang on it), a symbolic link that loops, a truncated JSON file and a JSON document
 * of the wrong type. Each is named and skipped, the batch ends with exit 3, and nothing is stored.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../helpers/run-cli.js";

describe("fleet ingest of a folder of special and broken files", () => {
  const root = mkdtempSync(path.join(tmpdir(), "koff-fleet-special-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  it("skips a FIFO, a link loop, truncated JSON and a JSON array, each by name; exit 3; nothing stored", async (t) => {
    const folder = path.join(root, "reports");
    mkdirSync(folder);
    try {
      execFileSync("mkfifo", [path.join(folder, "pipe.json")]);
    } catch {
      return t.skip("mkfifo is not available");
    }
    symlinkSync("loop.json", path.join(folder, "loop.json"));
    writeFileSync(path.join(folder, "truncated.json"), '{"schemaVersion": 2, "runId": ');
    writeFileSync(path.join(folder, "array.json"), "[1, 2, 3]");
    const db = `pglite:${path.join(root, "db")}`;
    const r = await runCli(["fleet", "ingest", folder, "--db", db]);
    assert.equal(r.code, 3, r.stderr);
    for (const name of ["pipe.json", "loop.json", "truncated.json", "array.json"])
      assert.match(
        r.stderr,
        new RegExp(`skipped ${path.join(folder, name).replace(/[.\\/]/g, "\\$&")}`),
        name,
      );
    assert.match(r.stdout, /ingested 0 run\(s\)/);
    const summary = await runCli(["fleet", "summary", "--db", db, "--json"]);
    assert.equal(summary.code, 0, summary.stderr);
    assert.deepEqual((JSON.parse(summary.stdout) as { totals: unknown }).totals, {
      hosts: 0,
      runs: 0,
      findings: 0,
      files: 0,
    });
  });

  it("skips /dev/urandom, /dev/zero, a 0-byte file and a hostile name given as PATHs; the name is printed escaped", async () => {
    const folder = path.join(root, "hostile");
    mkdirSync(folder);
    const evil = path.join(folder, "evil\u001b]0;pwned\u0007\nFORGED.json");
    writeFileSync(evil, '{"schemaVersion": 2}');
    writeFileSync(path.join(folder, "empty.json"), "");
    const db = `pglite:${path.join(root, "db2")}`;
    const r = await runCli([
      "fleet",
      "ingest",
      "/dev/urandom",
      "/dev/zero",
      path.join(folder, "empty.json"),
      evil,
      "--db",
      db,
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /skipped \/dev\/urandom: not-a-file: /);
    assert.match(r.stderr, /skipped \/dev\/zero: not-a-file: /);
    assert.match(r.stderr, /skipped .*empty\.json: /);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stderr, /[\u0007\u001b]/);
    assert.ok(!r.stderr.split("\n").some((l) => l.startsWith("FORGED.json")), r.stderr);
    assert.match(r.stderr, /evil\\u001b\]0;pwned\\u0007\\u000aFORGED\.json: /);
    assert.match(r.stdout, /ingested 0 run\(s\).*4 skipped/);
  });
});
