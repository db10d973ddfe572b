import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { nodeExec } from "../../src/adapters/live/index.js";
import { WindowsStateError } from "../../src/windows/index.js";

describe("nodeExec", () => {
  it("returns stdout bytes and the exit code of a real process, without a shell", async () => {
    const exec = nodeExec({ timeoutMs: 10_000, env: { KD_TEST: "x y" } });
    const r = await exec(process.execPath, [
      "-e",
      "process.stdout.write(process.env.KD_TEST + '|' + process.argv[1]); process.exit(3)",
      "a;b",
    ]);
    assert.equal(r.code, 3);
    assert.equal(Buffer.from(r.stdout as Uint8Array).toString(), "x y|a;b");
  });

  it("throws exec-failed when the program does not exist or times out", async () => {
    await assert.rejects(
      nodeExec()("/nonexistent/reg.exe", []),
      (e: unknown) => e instanceof WindowsStateError && e.code === "exec-failed",
    );
    await assert.rejects(
      nodeExec({ timeoutMs: 200 })(process.execPath, ["-e", "setTimeout(() => {}, 5000)"]),
      (e: unknown) => e instanceof WindowsStateError && e.code === "exec-failed",
    );
  });

  it("turns a synchronous start failure into exec-failed, not an internal error", async () => {
    // spawn() throws synchronously for a NUL in the program name, as it does for `spawn UNKNOWN` under Wine.
    await assert.rejects(
      nodeExec()("reg\0.exe", []),
      (e: unknown) => e instanceof WindowsStateError && e.code === "exec-failed" && /reg/.test(e.message),
    );
  });
});
