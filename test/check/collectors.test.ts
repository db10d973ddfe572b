/**
 * Collection kept apart from judging (src/check/collect/): the collectors run in their declared
 * order; one needing a port the snapshot lacks is skipped with the snapshot's reason; one past
 * its time limit leaves its family unknown with the reason (never empty-and-ok) and its late
 * answer is dropped; collector errors propagate; and no collector imports a check, a finding,
 * node:fs, an adapter or the CLI.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { createSignatureVerifier } from "../../src/app/signature-verifier.js";
import {
  assembleFacts,
  COLLECTORS,
  defineCollector,
  runCollectors,
  type Collector,
} from "../../src/check/collect/index.js";
import { gatherFacts } from "../../src/check/gather.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import type { Snapshot } from "../../src/ports/snapshot.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { impostorWithHungProgramData } from "../helpers/hung-programdata.js";
import { EXAMPLES, REPO_ROOT } from "../helpers/repo.js";

const knowledge = loadKnowledge();
const IMPOSTOR = path.join(EXAMPLES, "impostor-in-roaming");

/** A collector that answers `users` after `ms` milliseconds. */
function slowUsers(ms: number, limit: number): Collector {
  return {
    name: "slow",
    needs: ["fs"],
    provides: ["users"],
    timeLimitMs: limit,
    collect: () =>
      new Promise((resolve) =>
        setTimeout(() => resolve({ facts: { users: ["late"] }, unknown: { x: "y" } }), ms),
      ),
  };
}

describe("runCollectors", () => {
  it("runs every collector in declared order; image mode skips the live ones with the snapshot's reasons, reads its event logs", async () => {
    const snapshot = createImageSnapshot(IMPOSTOR);
    const run = await runCollectors(snapshot, COLLECTORS, { knowledge });
    assert.deepEqual(
      run.outcomes.map((o) => o.name),
      COLLECTORS.map((c) => c.name),
    );
    const skipped = run.outcomes.filter((o) => o.outcome === "skipped").map((o) => o.name);
    assert.deepEqual(skipped, ["processes", "network", "processModules", "disk"]);
    assert.ok(
      run.collected.events!.some((e) => e.kind === "installed"),
      "the image's Application.evtx is read",
    );
    for (const key of ["processes", "network", "freeDiskBytes"])
      assert.equal(run.unknown[key], snapshot.unknown[key], key);
    // The connector binaries first, then the stray copy in Roaming: the PE files to triage.
    assert.deepEqual(
      run.triage.map((t) => t.collector),
      ["install", "install", "strays"],
    );
    assert.match(run.triage[2]!.path, /^C:\\Users\\alice\\AppData\\Roaming\\Kerio\\kofmsp32\.dll$/i);
  });

  it("a port the snapshot lacks without a reason is named", async () => {
    const snapshot = { ...createImageSnapshot(IMPOSTOR), unknown: {} } as Snapshot;
    const live = COLLECTORS.filter((c) => c.name === "processes");
    const run = await runCollectors(snapshot, live, { knowledge });
    assert.equal(run.unknown["processes"], "this snapshot has no processes port");
    assert.equal(run.collected.processes, undefined);
  });

  it("a collector past its time limit is unknown with the reason, and its late answer is dropped", async () => {
    const reader: Collector = {
      name: "reader",
      needs: [],
      provides: ["strays"],
      timeLimitMs: 1000,
      collect: async (_s, { collected }) => ({
        facts: { strays: [] },
        unknown: { saw: String(collected.users) },
      }),
    };
    const snapshot = createImageSnapshot(IMPOSTOR);
    const run = await runCollectors(snapshot, [slowUsers(300, 20), reader], { knowledge });
    assert.deepEqual(
      run.outcomes.map((o) => o.outcome),
      ["timed-out", "done"],
    );
    assert.match(run.unknown["slow"] ?? "", /took longer than its 20 ms limit/);
    assert.equal(run.unknown["saw"], "undefined", "the next collector ran without the timed-out facts");
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(run.collected.users, undefined, "the late answer was dropped");
    assert.equal(run.unknown["x"], undefined);
    // The same collector within its limit is recorded.
    const ok = await runCollectors(snapshot, [slowUsers(5, 1000)], { knowledge });
    assert.deepEqual(ok.collected.users, ["late"]);
  });

  it("a collector's error propagates (a port failure is not a fact)", async () => {
    const failing: Collector = {
      name: "failing",
      needs: [],
      provides: [],
      timeLimitMs: 1000,
      collect: () => Promise.reject(new Error("port broke")),
    };
    await assert.rejects(
      runCollectors(createImageSnapshot(IMPOSTOR), [failing], { knowledge }),
      /port broke/,
    );
  });
});

describe("gatherFacts with a hung port", () => {
  it("a stray search that never ends leaves strays unknown, and the rest of the facts intact", async () => {
    const snapshot = impostorWithHungProgramData();
    const verifier = await createSignatureVerifier({ trustFiles: [], at: new Date("2026-01-01T00:00:00Z") });
    // Limits scaled to a few seconds: every other collector of this small image ends well within.
    const facts = await gatherFacts(snapshot, {
      knowledge,
      verifySignature: verifier.verify,
      timeLimitScale: 1 / 60,
    });
    assert.match(facts.unknown["strays"] ?? "", /strays collector took longer than its \d+ ms limit/);
    assert.deepEqual(facts.strays, []);
    assert.equal(facts.install.binaries.length, 2, "install facts are still collected");
    assert.equal(facts.triage.length, 2, "only the connector binaries were triaged");
    assert.ok(facts.users.includes("alice"));
  });
});

describe("collector declarations", () => {
  it("a collector returns only the facts it provides and reads only the facts it declares (tsc checks)", () => {
    const typed = [
      defineCollector({
        name: "reads-undeclared",
        needs: [],
        provides: ["users"],
        reads: ["install"],
        timeLimitMs: 1,
        async collect(_s, { collected }) {
          // @ts-expect-error profiles are not among its reads
          const profiles = collected.profiles;
          return { facts: { users: profiles ? [] : (collected.install?.folders ?? []) } };
        },
      }),
      defineCollector({
        name: "returns-undeclared",
        needs: [],
        provides: ["users"],
        timeLimitMs: 1,
        // @ts-expect-error office is not among what it provides
        async collect() {
          return { facts: { users: [], office: { found: false, sources: [] } } };
        },
      }),
      defineCollector({
        name: "asks-triage",
        needs: [],
        provides: ["users"],
        timeLimitMs: 1,
        // @ts-expect-error only a collector providing triage asks for it
        async collect() {
          return { facts: {}, triage: ["C:\\x.dll"] };
        },
      }),
    ];
    assert.deepEqual(
      typed.map((c) => c.provides),
      [["users"], ["users"], ["users"]],
    );
  });

  it("every fact of MachineFacts but the run's own is provided by some collector", () => {
    const provided = new Set(COLLECTORS.flatMap((c) => c.provides));
    const facts = Object.keys(
      assembleFacts(
        createImageSnapshot(IMPOSTOR),
        knowledge,
        {
          collected: {},
          unknown: {},
          notCollected: {},
          triage: [],
          outcomes: [],
        },
        [],
      ),
    ).filter((k) => !["mode", "source", "unknown"].includes(k));
    assert.deepEqual(
      facts.filter((k) => !provided.has(k as never)),
      [],
    );
    // Optional facts absent from an empty run's keys are named here.
    for (const k of ["freeDiskBytes", "processes", "events"]) assert.ok(provided.has(k as never), k);
  });
});

describe("collection is kept apart from judging and from the adapters", () => {
  const dir = path.join(REPO_ROOT, "src", "check");
  const sources = [
    ...readdirSync(path.join(dir, "collect")).map((f) => path.join(dir, "collect", f)),
    ...readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => path.join(dir, f)),
  ];

  it("no collector imports a check, a finding, node:fs, node:child_process, an adapter or the CLI", () => {
    assert.ok(sources.length > 10);
    for (const file of sources) {
      const imports = [...readFileSync(file, "utf8").matchAll(/from "([^"]+)"/g)].map((m) => m[1]!);
      for (const spec of imports) {
        const where = path.relative(REPO_ROOT, file);
        assert.doesNotMatch(spec, /^node:(fs|child_process)/, `${where} imports ${spec}`);
        assert.doesNotMatch(spec, /\/cli\//, `${where} imports ${spec}`);
        assert.doesNotMatch(spec, /adapters\//, `${where} imports ${spec}`);
        if (where.includes(`collect${path.sep}`))
          assert.doesNotMatch(spec, /finding|checks\/|run-checks|catalogue/, `${where} imports ${spec}`);
      }
    }
  });
});
