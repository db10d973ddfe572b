/**
 * The npm bin's launcher (bin/koff-doctor.cjs) and what it makes of a run that escapes `main`'s
 * own error handling: the exit code the run returned; a rejected run or one whose event loop runs
 * dry before it finishes is an internal error (70, with a message, docs/exit-codes.md), never a
 * silent 0; a command that calls `process.exit()` itself keeps its code; a read-only verb ends as
 * soon as its run settles, without waiting for work it left queued. Run against stub bundles
 * in a scratch package laid out as the real one.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO_ROOT } from "../helpers/repo.js";

const STUBS: Record<string, string> = {
  code: "exports.run = async () => 3;",
  reject: 'exports.run = async () => { throw new Error("boom in a verb"); };',
  hang: "exports.run = () => new Promise(() => {});",
  exits: "exports.run = () => { process.exit(); return new Promise(() => {}); };",
  "exits-four": "exports.run = () => { process.exit(4); return new Promise(() => {}); };",
  // Settles with work of its own still queued: a read-only verb ends before it runs, another verb after.
  lingers:
    'exports.run = async () => { process.stdout.write("done\\n"); setTimeout(() => process.stdout.write("late\\n"), 50); return 5; };',
};

describe("bin/koff-doctor.cjs", () => {
  let root = "";
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), "koff-launcher-"));
    mkdirSync(path.join(root, "bin"));
    mkdirSync(path.join(root, "dist", "bin"), { recursive: true });
    for (const f of ["koff-doctor.cjs", "cli-entry.cjs"])
      copyFileSync(path.join(REPO_ROOT, "bin", f), path.join(root, "bin", f));
    // The read-only verbs (cli-entry.cjs `endsWithItsRun`) and one that is not, all lingering.
    const verbs: Record<string, string> = {
      "*": "code.cjs",
      triage: "lingers.cjs",
      check: "lingers.cjs",
      explain: "lingers.cjs",
      collect: "lingers.cjs",
    };
    for (const [name, body] of Object.entries(STUBS)) {
      writeFileSync(path.join(root, "dist", "bin", `${name}.cjs`), `${body}\n`);
      verbs[name] = `${name}.cjs`;
    }
    writeFileSync(path.join(root, "dist", "bin", "verbs.json"), JSON.stringify({ verbs }));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const run = (verb: string) =>
    spawnSync(process.execPath, [path.join(root, "bin", "koff-doctor.cjs"), verb], {
      encoding: "utf8",
      timeout: 60_000,
    });

  it("exits with the code the run returns", () => {
    const r = run("code");
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stderr, "");
  });

  it("a rejected run is an internal error: 70 and the error's message, no unhandled-rejection dump", () => {
    const r = run("reject");
    assert.equal(r.status, 70);
    assert.match(r.stderr, /^koff-doctor: internal error: Error: boom in a verb/);
    assert.doesNotMatch(r.stderr, /UnhandledPromiseRejection|triggerUncaughtException/);
  });

  it("a run whose event loop runs dry before it finishes is an internal error, not a clean exit", () => {
    const r = run("hang");
    assert.equal(r.status, 70);
    assert.match(r.stderr, /internal error: the command ended without finishing its work/);
  });

  it("a read-only verb ends as soon as its run settles and its output is written; others let the event loop drain", () => {
    for (const verb of ["triage", "check", "explain"]) {
      const r = run(verb);
      assert.equal(r.status, 5, verb);
      assert.equal(r.stdout, "done\n", `${verb}: ends before work it left queued`);
    }
    const collect = run("collect");
    assert.equal(collect.status, 5);
    assert.equal(collect.stdout, "done\nlate\n", "collect waits for everything it started");
  });

  it("a command that calls process.exit() keeps its own code", () => {
    assert.equal(run("exits").status, 0);
    assert.equal(run("exits-four").status, 4);
  });
});
