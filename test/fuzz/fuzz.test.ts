/**
 * The fuzz harness (fuzz/): a few thousand seeded cases across every target must end with no
 * untyped error, hang or worker crash; and the harness must be able to fail (a plain Error is
 * reported as untyped with a reproducer, an infinite loop as a hang, a typed error as typed).
 * The time limit here is a hang guard for CI, not a timing goal (the big run reports timings).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { FuzzSession } from "../../fuzz/engine.js";
import { runFuzz } from "../../fuzz/run-fuzz.js";
import { formatReport } from "../../fuzz/report.js";
import { FUZZ_TARGETS, targetCycle } from "../../fuzz/targets/index.js";
import { mutatePeFields } from "../../fuzz/targets/pe.js";
import { createRng } from "../../fuzz/mutate.js";
import { extraSeedFiles, startsWith } from "../../fuzz/seeds.js";

const TARGETS = new URL("../../fuzz/targets/index.js", import.meta.url).href;
const FAILING = new URL("./failing-targets.js", import.meta.url).href;
const CASES = 2500;

describe("fuzz harness", () => {
  it(`${CASES} cases across every target: no untyped error, hang or crash`, async (t) => {
    const report = await runFuzz({
      cases: CASES,
      seed: 0x10f022,
      cycle: targetCycle(FUZZ_TARGETS),
      targetModules: [TARGETS],
      timeLimitMs: 10_000,
      hangMs: 30_000,
      jobs: 1,
    });
    const text = formatReport(report, { timeLimitMs: 10_000, rssLimitBytes: 2 ** 40 });
    t.diagnostic(text);
    assert.equal(report.failureCount, 0, text);
    assert.equal(report.cases, CASES);
    for (const target of FUZZ_TARGETS) {
      const tally = report.perTarget[target.name];
      assert.ok(tally && tally.cases > 0, `${target.name} ran`);
      // Mutants must get past the framing: every target has cases that parse through.
      assert.ok(tally.ok > 0, `${target.name}: some cases parse (${JSON.stringify(tally)})`);
    }
    const typed = Object.values(report.perTarget).reduce((n, x) => n + Object.keys(x.typed).length, 0);
    assert.ok(typed >= 10, "mutations reach many distinct typed error codes");
  });

  it("a case's input depends only on the seed, target and index", async () => {
    const a = new FuzzSession(FUZZ_TARGETS);
    const b = new FuzzSession(FUZZ_TARGETS);
    for (const target of FUZZ_TARGETS.filter((x) => x.name !== "bundle" && x.name !== "zip")) {
      const x = await a.input(target, 7, 123);
      assert.deepEqual(await b.input(target, 7, 123), x, target.name);
      assert.notDeepEqual(await a.input(target, 7, 124), x, target.name);
    }
  });

  it("a target throwing a plain Error is reported as untyped, with a reproducer", async () => {
    const report = await runFuzz({
      cases: 3,
      seed: 5,
      cycle: ["throws-plain"],
      targetModules: [FAILING],
      timeLimitMs: 2000,
      hangMs: 10_000,
      jobs: 1,
    });
    assert.equal(report.failureCount, 3);
    assert.equal(report.perTarget["throws-plain"]?.untyped, 3);
    const f = report.failures[0]!;
    assert.equal(f.reason, "untyped");
    assert.match(f.error!, /plain failure/);
    assert.equal(f.reproduce, "npm run fuzz -- --seed 5 --target throws-plain --case 0");
  });

  it("a hanging case is ended by the watchdog and reported; the run goes on", async () => {
    const report = await runFuzz({
      cases: 2,
      seed: 1,
      cycle: ["hangs"],
      targetModules: [FAILING],
      timeLimitMs: 100,
      hangMs: 500,
      jobs: 1,
    });
    assert.equal(report.cases, 2);
    assert.deepEqual(
      report.failures.map((f) => [f.reason, f.index]),
      [
        ["hang", 0],
        ["hang", 1],
      ],
    );
  });

  it("a typed error is counted by class and code, not as a failure", async () => {
    const report = await runFuzz({
      cases: 4,
      seed: 1,
      cycle: ["throws-typed"],
      targetModules: [FAILING],
      timeLimitMs: 2000,
      hangMs: 10_000,
      jobs: 2,
    });
    assert.equal(report.failureCount, 0);
    assert.deepEqual(report.perTarget["throws-typed"]?.typed, { "RegistryError:truncated": 4 });
  });
});

describe("fuzz targets on tiny and foreign seeds (KOFF_FUZZ_SEEDS corpora)", () => {
  it("the PE field mutator never reads past a short file (a 0-byte, 16-byte or cut header: worker died with RangeError)", () => {
    const rng = createRng(21);
    const cutHeader = new Uint8Array(0x40);
    cutHeader.set([0x4d, 0x5a]);
    new DataView(cutHeader.buffer).setUint32(0x3c, 0x38, true); // e_lfanew inside, COFF header past the end
    for (const seed of [new Uint8Array(0), new Uint8Array(16), new Uint8Array(0x3f), cutHeader])
      for (let i = 0; i < 200; i++) assert.ok(mutatePeFields(seed, rng) instanceof Uint8Array);
  });

  it("KOFF_FUZZ_SEEDS adds the files a target accepts by name or magic, empty files left out", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "koff-fuzz-seeds-"));
    const saved = process.env["KOFF_FUZZ_SEEDS"];
    try {
      writeFileSync(path.join(dir, "a.bin"), "regf-and-more");
      writeFileSync(path.join(dir, "b.reg"), "Windows Registry Editor Version 5.00\r\n");
      writeFileSync(path.join(dir, "empty.reg"), "");
      process.env["KOFF_FUZZ_SEEDS"] = dir;
      assert.deepEqual(
        extraSeedFiles((_, head) => startsWith(head, "regf")).map((b) => Buffer.from(b).toString()),
        ["regf-and-more"],
      );
      assert.equal(extraSeedFiles((name) => name.endsWith(".reg")).length, 1);
      delete process.env["KOFF_FUZZ_SEEDS"];
      assert.deepEqual(
        extraSeedFiles(() => true),
        [],
      );
    } finally {
      if (saved === undefined) delete process.env["KOFF_FUZZ_SEEDS"];
      else process.env["KOFF_FUZZ_SEEDS"] = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
