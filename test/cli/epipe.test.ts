/**
 * A closed stdout (`koff-doctor triage --json … | head -c 100`) ends the run quietly: no stack
 * trace on stderr, no further file judged, and the exit code of the files judged until then
 * (docs/exit-codes.md), through the real launcher.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { FIXTURES, REPO_ROOT } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const ARGS = ["triage", "-r", path.join(FIXTURES, "pe"), "--json", "--at", "2026-11-21T00:00:00Z"];

/** Runs the launcher, closing the read side of stdout after the first chunk. */
function runClosingStdout(args: string[]): Promise<{ code: number | null; stderr: string; first: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin", "koff-doctor.cjs"), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let first = 0;
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.stdout.once("data", (b: Buffer) => {
      first = b.length;
      child.stdout.destroy();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr, first }));
  });
}

describe("closed stdout (EPIPE)", () => {
  it("ends quietly with a triage exit code", async () => {
    const full = await runCli(ARGS);
    // The output must be far bigger than one pipe buffer for the write to hit EPIPE.
    assert.ok(full.stdout.length > 256 * 1024, `output only ${full.stdout.length} bytes`);
    const r = await runClosingStdout(ARGS);
    assert.ok(r.first > 0, "no output before the pipe was closed");
    assert.equal(r.stderr, "", "stderr must stay empty");
    // The files judged before the pipe closed decide: some of fixtures/pe are malicious, all are
    // at least suspicious.
    assert.ok([1, 2].includes(r.code ?? -1), `exit ${r.code}`);
    assert.equal(full.code, 2);
  });
});
