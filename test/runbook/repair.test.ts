/**
 * The repair/undo safety contract on copies of the sample images:
 * - each acting remedy makes check stop reporting the finding it targets;
 * - undo restores the image byte-identically (sha256 of every file, hives included);
 * - nothing is lost: every file content from before exists afterwards, in place or in quarantine;
 * - SIGKILL at every journal boundary: undo restores, and re-running completes the step;
 * - refusals (malicious binary, locked cache, disk space, concurrent run, --apply without a step)
 *   change nothing.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  mkdirSync,
} from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { checkMachine } from "../../src/app/check-machine.js";
import {
  applyStep,
  planStep,
  RunbookError,
  undoRun,
  type RepairEnvironment,
  type StepId,
} from "../../src/runbook/index.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import type { CheckId } from "../../src/vocabulary/index.js";
import { copyImage, hashTree } from "../helpers/image-copy.js";
import { killedRun } from "../helpers/killed-run.js";
import { FIXTURES } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const AT = new Date("2026-11-21T00:00:00Z");
const hivex = spawnSync("sh", ["-c", "command -v hivexregedit"]).status === 0;
const scratch: string[] = [];
after(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

function env(image: string, state: string, over: Partial<RepairEnvironment> = {}): RepairEnvironment {
  return { snapshot: createImageSnapshot(image), imageRoot: image, stateDir: state, at: AT, ...over };
}
async function findingIds(image: string): Promise<Set<string>> {
  return new Set((await checkMachine(createImageSnapshot(image), { at: AT })).findings.map((f) => f.id));
}
function fresh(scenario: string) {
  const c = copyImage(scenario);
  scratch.push(c.root);
  return c;
}

/** Scenario, the acting remedy, the findings it must clear, and whether it edits a hive. */
const REMEDIES: Array<{
  scenario: string;
  step: StepId;
  clears: CheckId[];
  hive: boolean;
  profile?: string;
}> = [
  {
    scenario: "impostor-in-roaming",
    step: "rule-out-infection",
    clears: ["stray-provider-dll", "mapisvc-path-outside-install"],
    hive: false,
  },
  { scenario: "corrupt-cache", step: "clear-cache", clears: ["cache-db-invalid"], hive: false },
  { scenario: "orphan-cache", step: "remove-leftovers", clears: ["cache-orphan"], hive: false },
  { scenario: "orphan-cache", step: "recreate-profile", clears: ["cache-missing"], hive: true },
  {
    scenario: "missing-av-exclusions",
    step: "av-exclusions",
    clears: ["av-exclusion-missing"],
    hive: true,
  },
  { scenario: "koff-uninstalled", step: "recreate-profile", clears: ["profile-koff-orphaned"], hive: true },
];

describe("repair fixes, undo restores, nothing is lost", () => {
  for (const r of REMEDIES) {
    it(
      `${r.scenario}: ${r.step}`,
      { skip: r.hive && !hivex ? "hivexregedit is not installed (libwin-hivex-perl)" : false },
      async () => {
        const { image, state } = fresh(r.scenario);
        const before = hashTree(image);
        const beforeIds = await findingIds(image);
        for (const id of r.clears) assert.ok(beforeIds.has(id), `${id} fires before the repair`);

        const result = await applyStep(env(image, state), { step: r.step, profile: r.profile });
        assert.equal(result.status.state, "complete");
        assert.ok(result.status.header.operations.length > 0);

        const afterIds = await findingIds(image);
        for (const id of r.clears) assert.ok(!afterIds.has(id), `${id} is fixed`);

        const kept = new Set([...hashTree(image).values(), ...hashTree(state).values()]);
        for (const [file, sha] of before)
          assert.ok(kept.has(sha), `content of ${file} still exists somewhere`);

        await undoRun(env(image, state));
        assert.deepEqual(hashTree(image), before, "undo is byte-exact");
        assert.ok(
          !existsSync(path.join(image, "ProgramData")),
          "undo removes the quarantine folders it created",
        );
        assert.deepEqual([...(await findingIds(image))].sort(), [...beforeIds].sort());
      },
    );
  }
});

describe("crash safety: SIGKILL at every journal boundary", () => {
  for (const r of REMEDIES) {
    it(
      `${r.scenario}: ${r.step}`,
      { skip: r.hive && !hivex ? "hivexregedit is not installed" : false },
      async () => {
        // A clean run tells how many journal records the step writes.
        const probe = fresh(r.scenario);
        const done = await applyStep(env(probe.image, probe.state), { step: r.step });
        const boundaries = 2 + 2 * done.status.header.operations.length; // run, begin/done per op, complete
        for (let k = 1; k <= boundaries; k++) {
          const a = fresh(r.scenario);
          const before = hashTree(a.image);
          assert.equal(await killedRun(a.image, a.state, r.step, k), "SIGKILL", `killed after record ${k}`);
          await undoRun(env(a.image, a.state));
          assert.deepEqual(hashTree(a.image), before, `undo after a kill at record ${k} is byte-exact`);

          const b = fresh(r.scenario);
          assert.equal(await killedRun(b.image, b.state, r.step, k), "SIGKILL");
          if (k < boundaries) {
            const rerun = await applyStep(env(b.image, b.state), { step: r.step });
            assert.equal(rerun.status.state, "complete", `re-run after a kill at record ${k} completes`);
            assert.equal(rerun.resumed, true, "the re-run resumes the interrupted run");
          }
          const ids = await findingIds(b.image);
          for (const id of r.clears) assert.ok(!ids.has(id), `${id} fixed after a kill at ${k} and a re-run`);
        }
      },
    );
  }
});

describe("refusals change nothing", () => {
  async function refuses(
    image: string,
    state: string,
    e: RepairEnvironment,
    step: StepId,
    code: string,
  ): Promise<void> {
    const before = hashTree(image);
    await assert.rejects(
      applyStep(e, { step }),
      (err: unknown) => err instanceof RunbookError && err.code === code,
    );
    assert.deepEqual(hashTree(image), before);
    assert.deepEqual(existsSync(path.join(state, "runs")) ? readdirSync(path.join(state, "runs")) : [], []);
  }

  it("a malicious connector binary", async () => {
    const { image, state } = fresh("healthy");
    copyFileSync(
      path.join(FIXTURES, "pe", "impostor-no-version-x64.dll"),
      path.join(image, "Program Files (x86)", "Kerio", "Outlook Connector (Offline Edition)", "kofmsp32.dll"),
    );
    await refuses(image, state, env(image, state), "clear-cache", "refused-malicious");
    await refuses(image, state, env(image, state), "rule-out-infection", "refused-malicious");
  });

  it("a malicious stray DLL blocks other steps until rule-out-infection ran", async () => {
    const { image, state } = fresh("impostor-in-roaming");
    await refuses(image, state, env(image, state), "clear-cache", "refused-malicious");
  });

  it("a cache held by Outlook (live process list)", async () => {
    const { image, state } = fresh("corrupt-cache");
    const snapshot = {
      ...createImageSnapshot(image),
      processes: { list: async () => [{ image: "OUTLOOK.EXE", pid: 4242 }] },
    };
    await refuses(image, state, env(image, state, { snapshot }), "clear-cache", "refused-locked");
  });

  it("too little disk space", async () => {
    const { image, state } = fresh("corrupt-cache");
    await refuses(
      image,
      state,
      env(image, state, { freeBytes: async () => 1024 }),
      "clear-cache",
      "refused-disk-space",
    );
  });

  it("a second concurrent run", async () => {
    const { image, state } = fresh("corrupt-cache");
    const sleeper = spawn("sleep", ["30"]);
    try {
      mkdirSync(state, { recursive: true });
      writeFileSync(
        path.join(state, "lock"),
        JSON.stringify({ pid: sleeper.pid, what: "repair --step clear-cache" }),
      );
      await refuses(image, state, env(image, state), "clear-cache", "refused-concurrent");
      assert.ok(existsSync(path.join(state, "lock")), "the other run's lock is left alone");
    } finally {
      sleeper.kill();
    }
  });

  it("--apply without a step", async () => {
    const { image, state } = fresh("corrupt-cache");
    const before = hashTree(image);
    const r = await runCli(["repair", "--apply", "--image", image, "--state", state]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /--apply needs --step/);
    assert.deepEqual(hashTree(image), before);
  });

  it("a dry run (the default) changes nothing and prints the exact plan", async () => {
    const { image, state } = fresh("corrupt-cache");
    const before = hashTree(image);
    const planned = await planStep(env(image, state), { step: "clear-cache" });
    assert.equal(planned.plan.operations[0]?.kind, "move");
    const r = await runCli(["repair", "--image", image, "--state", state, "--step", "clear-cache"]);
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /move C:\\Users\\alice\\AppData\\Local\\Kerio\\Outlook Connector\\Kerio → quarantine/,
    );
    assert.deepEqual(hashTree(image), before);
    assert.ok(!existsSync(path.join(state, "runs")) || readdirSync(path.join(state, "runs")).length === 0);
    assert.ok(readFileSync(path.join(image, "Users", "alice", "NTUSER.DAT")).length > 0);
  });
});
