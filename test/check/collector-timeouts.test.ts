/**
 * A collector that runs out of time (or is skipped) never turns its checks into silent passes:
 * every fact it provides, and every fact of a collector reading it, is listed in
 * `facts.notCollected` with the reason, and the checks needing one are listed in `notRun`
 * (src/check/collect/collector.ts "never empty-and-ok"; checkMachine "never reports a check it
 * could not run as passing"). Abandoned work stops: after the time limit the collector's
 * snapshot refuses every port call, and walks stop before their next one.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { createSignatureVerifier } from "../../src/app/signature-verifier.js";
import { assembleFacts, COLLECTORS, runCollectors, type Collector } from "../../src/check/collect/index.js";
import { straysCollector } from "../../src/check/collect/strays.js";
import { diskCollector } from "../../src/check/collect/disk-and-hives.js";
import { gatherFacts } from "../../src/check/gather.js";
import { runChecks } from "../../src/check/run-checks.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import type { DirEntry, FileSystemPort } from "../../src/ports/file-system.js";
import type { Snapshot } from "../../src/ports/snapshot.js";
import { impostorWithHungProgramData } from "../helpers/hung-programdata.js";
import { EXAMPLES } from "../helpers/repo.js";

const knowledge = loadKnowledge();
const IMPOSTOR = path.join(EXAMPLES, "impostor-in-roaming");
const SAMPLES = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !["src", "tools"].includes(e.name))
  .map((e) => e.name);

/** `collector` whose work never ends, with a 1 ms limit. */
function hung(collector: Collector): Collector {
  return { ...collector, timeLimitMs: 1, collect: () => new Promise(() => undefined) };
}

describe("a timed-out collector is unknown, never a pass", () => {
  it("the stray search timing out leaves stray-provider-dll in notRun (or still reported)", async () => {
    const snapshot = impostorWithHungProgramData();
    const verifier = await createSignatureVerifier({ trustFiles: [], at: new Date("2026-01-01T00:00:00Z") });
    const facts = await gatherFacts(snapshot, {
      knowledge: loadKnowledge(),
      verifySignature: verifier.verify,
      timeLimitScale: 1 / 60,
    });
    assert.match(facts.unknown["strays"] ?? "", /took longer than/);
    assert.match(facts.notCollected?.strays ?? "", /strays collector took longer than/);
    assert.match(facts.notCollected?.triage ?? "", /strays collector took longer than/);
    const run = runChecks(facts);
    const reported = run.findings.some((f) => f.id === "stray-provider-dll");
    const notRun = run.notRun.some((n) => n.id === "stray-provider-dll");
    assert.ok(
      reported || notRun,
      "stray-provider-dll is neither reported nor listed as not run: a planted stray DLL passes silently",
    );
    // The planted DLL MAPISVC.INF loads was not triaged: its check is not run, not demoted.
    assert.ok(!run.findings.some((f) => f.id === "mapisvc-path-outside-install"));
    assert.match(
      run.notRun.find((n) => n.id === "mapisvc-path-outside-install")?.reason ?? "",
      /^triage: the strays collector took longer than/,
    );
  });

  it("a complete run has no notCollected at all (the JSON facts are unchanged)", async () => {
    const snapshot = createImageSnapshot(IMPOSTOR);
    const run = await runCollectors(snapshot, COLLECTORS, { knowledge });
    const facts = assembleFacts(snapshot, knowledge, run, []);
    assert.equal("notCollected" in facts, false);
  });

  for (const sample of SAMPLES) {
    it(`${sample}: with any one collector timed out, every check either runs as on the full facts or is not run`, async () => {
      const snapshot = createImageSnapshot(path.join(EXAMPLES, sample));
      const judge = async (collectors: readonly Collector[]) => {
        const run = await runCollectors(snapshot, collectors, { knowledge });
        return runChecks(assembleFacts(snapshot, knowledge, run, []));
      };
      const full = await judge(COLLECTORS);
      for (const victim of COLLECTORS.filter((c) => c.needs.every((p) => snapshot[p] !== undefined))) {
        const partial = await judge(COLLECTORS.map((c) => (c === victim ? hung(c) : c)));
        const notRun = new Set(partial.notRun.map((n) => n.id));
        const expected = full.findings.filter((f) => !notRun.has(f.id));
        assert.deepEqual(partial.findings, expected, `${victim.name} timed out`);
        for (const key of victim.provides) {
          const reason = new RegExp(`^${key}: the ${victim.name} collector took longer than its 1 ms limit`);
          for (const n of partial.notRun.filter((x) => x.reason.startsWith(`${key}:`)))
            assert.match(n.reason, reason, `${victim.name}: ${n.id}`);
        }
      }
    });
  }

  it("a collector reading a timed-out one's facts is skipped, and its facts are not collected either", async () => {
    const snapshot = createImageSnapshot(IMPOSTOR);
    const collectors = COLLECTORS.map((c) => (c.name === "users" ? hung(c) : c));
    const run = await runCollectors(snapshot, collectors, { knowledge });
    const outcome = (name: string) => run.outcomes.find((o) => o.name === name)?.outcome;
    assert.equal(outcome("users"), "timed-out");
    assert.equal(outcome("caches"), "skipped");
    assert.equal(outcome("strays"), "skipped");
    assert.equal(outcome("install"), "done");
    const facts = assembleFacts(snapshot, knowledge, run, []);
    assert.deepEqual(Object.keys(facts.notCollected ?? {}).sort(), [
      "cacheRoots",
      "caches",
      "strays",
      "triage",
      "users",
    ]);
    assert.match(facts.notCollected?.caches ?? "", /caches collector was skipped: it reads users/);
    assert.match(facts.unknown["strays"] ?? "", /strays collector was skipped: it reads users/);
    const checks = runChecks(facts);
    for (const id of ["cache-missing", "cache-orphan", "stray-provider-dll", "av-exclusion-missing"])
      assert.ok(
        checks.notRun.some((n) => n.id === id),
        id,
      );
  });

  it("the disk collector timing out gives its own reason, not 'unknown in this mode'", async () => {
    const image = createImageSnapshot(IMPOSTOR, { freeBytes: 1 });
    const snapshot: Snapshot = { ...image, disk: { freeBytes: () => new Promise(() => undefined) } };
    const run = await runCollectors(snapshot, [hung(diskCollector)], { knowledge });
    const facts = assembleFacts(snapshot, knowledge, run, []);
    assert.equal(facts.freeDiskBytes, undefined);
    assert.doesNotMatch(facts.unknown["freeDiskBytes"] ?? "", /unknown in this mode/);
    const reason = runChecks(facts).notRun.find((n) => n.id === "cache-disk-space-low")?.reason;
    assert.match(reason ?? "", /^freeDiskBytes: the disk collector took longer than its 1 ms limit$/);
  });
});

describe("abandoned work stops at its time limit", () => {
  it(
    "after the abort, a hung walk makes no further port call, and its late failure is swallowed",
    { timeout: 20_000 },
    async () => {
      let release: (entries: DirEntry[]) => void = () => undefined;
      const hungList = new Promise<DirEntry[]>((resolve) => (release = resolve));
      const calls: string[] = [];
      const fs: FileSystemPort = {
        stat: async (p) => (calls.push(`stat ${p}`), undefined),
        list: (p) => {
          calls.push(`list ${p}`);
          return /^C:\\Temp$/i.test(p) ? hungList : Promise.resolve([]);
        },
        readFile: async () => undefined,
        readHead: async () => undefined,
        describe: () => "fake",
      };
      const base = createImageSnapshot(IMPOSTOR);
      const snapshot: Snapshot = { ...base, fs };
      const run = await runCollectors(snapshot, [straysCollector], { knowledge, timeLimitScale: 1e-4 });
      assert.deepEqual(
        run.outcomes.map((o) => o.outcome),
        ["timed-out"],
      );
      assert.equal(calls.at(-1), "list C:\\Temp", "the walk hung on C:\\Temp");
      const before = calls.length;
      // The hung listing answers late: a folder to walk into and a provider DLL to canonicalize.
      release([
        { name: "sub", kind: "dir", size: 0 },
        { name: "kofmsp.dll", kind: "file", size: 10 },
      ]);
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      assert.deepEqual(calls.slice(before), [], "no port call after the abort");
      assert.equal(run.collected.strays, undefined, "the late answer was dropped");
    },
  );

  it("the guarded snapshot refuses a port call made after the abort", { timeout: 20_000 }, async () => {
    let go: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (go = resolve));
    const calls: string[] = [];
    let refused: unknown;
    const late: Collector = {
      name: "late",
      needs: ["fs"],
      provides: ["users"],
      timeLimitMs: 1,
      async collect(s) {
        await gate;
        try {
          await s.fs.list("C:\\Users");
        } catch (e) {
          refused = e;
          throw e;
        }
        return { facts: { users: ["never"] } };
      },
    };
    const base = createImageSnapshot(IMPOSTOR);
    const fs: FileSystemPort = {
      list: async (p) => (calls.push(p), []),
      stat: (p) => base.fs.stat(p),
      readFile: (p, m) => base.fs.readFile(p, m),
      readHead: (p, n) => base.fs.readHead(p, n),
      describe: () => "fake",
    };
    const run = await runCollectors({ ...base, fs }, [late], { knowledge });
    assert.match(run.notCollected.users ?? "", /late collector took longer/);
    go();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, []);
    assert.ok(refused instanceof Error, "the port call was refused with the abort reason");
  });
});
