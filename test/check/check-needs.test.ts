/**
 * Every check declares in `needs` every fact its `run` reads, so a fact that is unknown or not
 * collected puts the check in `notRun` instead of letting it pass on an empty default. Checked
 * two ways: each check runs over the sample images' facts seen through a Proxy that records the
 * keys read (helpers such as `isInstalled` included), and each check's source is scanned for
 * `f.<key>` (branches the samples do not reach).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { createSignatureVerifier } from "../../src/app/signature-verifier.js";
import { CATALOGUE } from "../../src/check/catalogue.js";
import type { MachineFacts } from "../../src/check/facts.js";
import { gatherFacts } from "../../src/check/gather.js";
import { runChecks } from "../../src/check/run-checks.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import { EXAMPLES, REPO_ROOT } from "../helpers/repo.js";

const SAMPLES = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !["src", "tools"].includes(e.name))
  .map((e) => e.name);

/** `facts` seen through a Proxy that adds every top-level key read to `read`. */
function recording(facts: MachineFacts, read: Set<string>): MachineFacts {
  return new Proxy(facts, {
    get(target, key, receiver) {
      if (typeof key === "string") read.add(key);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      if (typeof key === "string") read.add(key);
      return Reflect.has(target, key);
    },
  });
}

describe("check needs", () => {
  it("every key a check reads over the sample images' facts is in its needs", async () => {
    const verifier = await createSignatureVerifier({ trustFiles: [], at: new Date("2026-11-21T00:00:00Z") });
    const knowledge = loadKnowledge();
    const read = new Map(CATALOGUE.map((c) => [c.id, new Set<string>()]));
    for (const sample of SAMPLES) {
      const facts = await gatherFacts(createImageSnapshot(path.join(EXAMPLES, sample), { freeBytes: 1 }), {
        knowledge,
        verifySignature: verifier.verify,
      });
      for (const check of CATALOGUE) check.run(recording(facts, read.get(check.id)!));
    }
    for (const check of CATALOGUE) {
      const extra = [...read.get(check.id)!].filter((k) => !(check.needs ?? []).includes(k as never));
      assert.deepEqual(extra, [], `${check.id} reads facts it does not declare in needs`);
    }
    // Not vacuous: the samples drive every check to read at least one fact.
    for (const check of CATALOGUE) assert.ok(read.get(check.id)!.size > 0, check.id);
  });

  it("every f.<key> in a check's source is in its needs", () => {
    const dir = path.join(REPO_ROOT, "src", "check", "checks");
    for (const check of CATALOGUE) {
      const source = readFileSync(path.join(dir, `${check.id}.ts`), "utf8");
      const keys = new Set([...source.matchAll(/\bf\.(\w+)/g)].map((m) => m[1]!));
      assert.ok(keys.size > 0 || /\(f\)|\(f,/.test(source), check.id);
      const extra = [...keys].filter((k) => !(check.needs ?? []).includes(k as never));
      assert.deepEqual(extra, [], `${check.id} reads facts it does not declare in needs`);
    }
  });

  it("a check needing a fact listed in notCollected is not run, with the reason", () => {
    const check = CATALOGUE.find((c) => c.id === "stray-provider-dll")!;
    const facts = {
      strays: [{ path: "C:\\x\\kofmsp.dll", size: 1, location: "x" }],
      triage: [],
      unknown: {},
      notCollected: { strays: "the strays collector took longer than its 5 ms limit" },
    } as unknown as MachineFacts;
    const run = runChecks(facts, [check]);
    assert.deepEqual(run.findings, []);
    assert.deepEqual(run.notRun, [
      { id: "stray-provider-dll", reason: "strays: the strays collector took longer than its 5 ms limit" },
    ]);
    // Collected, the same facts give the finding.
    assert.equal(runChecks({ ...facts, notCollected: undefined }, [check]).findings.length, 1);
  });
});
