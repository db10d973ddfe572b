/**
 * Safety edges found in review: a torn journal tail, a hive changed after a repair, an image
 * moved before undo, and a lock raced by several processes.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import {
  applyStep,
  planStep,
  RunbookError,
  undoRun,
  type RepairEnvironment,
} from "../../src/runbook/index.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { copyImage, hashTree } from "../helpers/image-copy.js";
import { killedRun } from "../helpers/killed-run.js";
import { REPO_ROOT } from "../helpers/repo.js";

const AT = new Date("2026-11-21T00:00:00Z");
const hivex = spawnSync("sh", ["-c", "command -v hivexregedit"]).status === 0;
const scratch: string[] = [];
after(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));
const env = (image: string, state: string): RepairEnvironment => ({
  snapshot: createImageSnapshot(image),
  imageRoot: image,
  stateDir: state,
  at: AT,
});
function fresh(scenario: string) {
  const c = copyImage(scenario);
  scratch.push(c.root);
  return c;
}

describe("safety edges", () => {
  it("a torn journal tail neither blocks a re-run nor undo", async () => {
    for (const next of ["rerun", "undo"] as const) {
      const { image, state } = fresh("corrupt-cache");
      const before = hashTree(image);
      await killedRun(image, state, "clear-cache", 2); // after "run" and "begin 0"
      const run = readdirSync(path.join(state, "runs"))[0]!;
      appendFileSync(path.join(state, "runs", run, "journal.jsonl"), '{"type":"done","op'); // power lost mid-append
      if (next === "rerun") {
        const r = await applyStep(env(image, state), { step: "clear-cache" });
        assert.equal(r.status.state, "complete");
        assert.equal(r.resumed, true);
      }
      await undoRun(env(image, state));
      assert.deepEqual(hashTree(image), before, `undo after a torn tail (${next}) is byte-exact`);
    }
  });

  it(
    "undo refuses to discard registry changes made after the run",
    { skip: hivex ? false : "hivexregedit is not installed" },
    async () => {
      const { root, image, state } = fresh("missing-av-exclusions");
      await applyStep(env(image, state), { step: "av-exclusions" });
      const hive = path.join(image, "Windows", "System32", "config", "SOFTWARE");
      const reg = path.join(root, "later.reg");
      writeFileSync(
        reg,
        'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\LaterChange]\r\n"x"="y"\r\n',
      );
      assert.equal(
        spawnSync("hivexregedit", ["--merge", "--prefix", "HKEY_LOCAL_MACHINE\\SOFTWARE", hive, reg]).status,
        0,
      );
      const changed = hashTree(image).get(path.join("Windows", "System32", "config", "SOFTWARE"));
      await assert.rejects(
        undoRun(env(image, state)),
        (e: unknown) => e instanceof RunbookError && e.code === "refused-precondition",
      );
      assert.equal(
        hashTree(image).get(path.join("Windows", "System32", "config", "SOFTWARE")),
        changed,
        "the later change is kept",
      );
    },
  );

  it("undo refuses another image than the run's", async () => {
    const { image, state } = fresh("corrupt-cache");
    await applyStep(env(image, state), { step: "clear-cache" });
    const other = fresh("corrupt-cache").image;
    await assert.rejects(
      undoRun(env(other, state)),
      (e: unknown) => e instanceof RunbookError && e.code === "usage",
    );
    await assert.rejects(
      undoRun(env(image, state), "../../etc"),
      (e: unknown) => e instanceof RunbookError && e.code === "usage",
    );
  });

  it("several processes racing for the lock: exactly one holds it", async () => {
    const { state } = fresh("healthy");
    const lockModule = pathToFileURL(path.join(REPO_ROOT, "dist", "src", "runbook", "lock.js")).href;
    const script = `
      import { mkdirSync } from "node:fs";
      const { acquireLock } = await import(${JSON.stringify(lockModule)});
      mkdirSync(${JSON.stringify(state)}, { recursive: true });
      try { const l = await acquireLock(${JSON.stringify(path.join(state, "lock"))}, "race"); await new Promise((r) => setTimeout(r, 800)); await l.release(); console.log("held"); }
      catch (e) { console.log(e.code); }`;
    const outputs = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<string>((resolve) => {
            const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
              stdio: ["ignore", "pipe", "inherit"],
            });
            let out = "";
            child.stdout.on("data", (d: Buffer) => (out += d.toString()));
            child.on("exit", () => resolve(out.trim()));
          }),
      ),
    );
    assert.equal(outputs.filter((o) => o === "held").length, 1, outputs.join(","));
    assert.equal(outputs.filter((o) => o === "refused-concurrent").length, 3, outputs.join(","));
  });

  it(
    "a crash inside a hive edit: undo is byte-exact and a re-run completes",
    { skip: hivex ? false : "hivexregedit is not installed" },
    async () => {
      for (const point of ["hive-edit:partial-copied", "hive-edit:backed-up", "hive-edit:merged"]) {
        const a = fresh("missing-av-exclusions");
        const before = hashTree(a.image);
        assert.equal(await killedRun(a.image, a.state, "av-exclusions", point), "SIGKILL", point);
        await undoRun(env(a.image, a.state));
        assert.deepEqual(hashTree(a.image), before, `undo after a kill at ${point}`);
        const b = fresh("missing-av-exclusions");
        assert.equal(await killedRun(b.image, b.state, "av-exclusions", point), "SIGKILL", point);
        const rerun = await applyStep(env(b.image, b.state), { step: "av-exclusions" });
        assert.equal(rerun.status.state, "complete", `re-run after a kill at ${point}`);
        assert.deepEqual(
          [...hashTree(b.image).keys()].filter(
            (f) => f.includes("koff-doctor-edit") || f.endsWith(".partial"),
          ),
          [],
          "no temporary files left in the image",
        );
      }
    },
  );

  it("a journal edited to reach outside the image is never acted on, by undo or by a re-run", async () => {
    const { root, image, state } = fresh("corrupt-cache");
    await killedRun(image, state, "clear-cache", 1); // the header only
    const run = readdirSync(path.join(state, "runs"))[0]!;
    const journal = path.join(state, "runs", run, "journal.jsonl");
    const outside = path.join(root, "outside.txt");
    writeFileSync(outside, "not the image's");
    const lines = readFileSync(journal, "utf8").split("\n");
    const record = JSON.parse(lines[0]!);
    record.header.operations[0].from = outside;
    writeFileSync(journal, `${JSON.stringify(record)}\n`);
    await assert.rejects(
      applyStep(env(image, state), { step: "clear-cache" }),
      (e: unknown) => e instanceof RunbookError && e.code === "journal-corrupt",
    );
    await assert.rejects(
      undoRun(env(image, state)),
      (e: unknown) => e instanceof RunbookError && e.code === "journal-corrupt",
    );
    assert.equal(readFileSync(outside, "utf8"), "not the image's");
  });

  it("remove-leftovers does not take a cache whose user's hive is damaged", async () => {
    const { image, state } = fresh("orphan-cache");
    const ntuser = path.join(image, "Users", "alice", "NTUSER.DAT");
    writeFileSync(ntuser, readFileSync(ntuser).subarray(0, 6000));
    const planned = await planStep(env(image, state), { step: "remove-leftovers" });
    assert.equal(planned.plan.operations.length, 0);
    assert.equal(planned.refusal?.code, "refused-precondition");
  });
});
