/**
 * test/helpers/wine-prefix.ts: a fresh prefix is booted explicitly before any program runs in
 * it, a failed boot (exit 53 under load) is retried once after stopping the wineserver, and the
 * prefix folder is removed afterwards. Runs without Wine (a recording runner stands in for it).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { initWinePrefix, removeWinePrefix, winePrefixEnv, type WineRunner } from "../helpers/wine-prefix.js";

/** A runner answering wineboot with `bootCodes` in turn (0 after), recording every call. */
function recording(bootCodes: number[]): { run: WineRunner; calls: string[] } {
  const calls: string[] = [];
  const run: WineRunner = async (cmd, args, env) => {
    calls.push(`${env["WINEPREFIX"]}: ${cmd} ${args.join(" ")}`);
    if (args[0] === "wineboot") {
      const code = bootCodes.shift() ?? 0;
      return { code, stderr: code === 0 ? "" : "wine: could not load kernel32.dll, status c0000135" };
    }
    return { code: 0, stderr: "" };
  };
  return { run, calls };
}

describe("Wine prefix set-up for tests", () => {
  const env = winePrefixEnv("/tmp/p");

  it("boots the prefix with wineboot --init, then waits for the wineserver to write the registry", async () => {
    const { run, calls } = recording([0]);
    await initWinePrefix(env, run);
    assert.deepEqual(calls, ["/tmp/p: wine wineboot --init", "/tmp/p: wineserver -w"]);
  });

  it("retries once after stopping the wineserver when the first boot exits 53", async () => {
    const { run, calls } = recording([53, 0]);
    await initWinePrefix(env, run);
    assert.deepEqual(calls, [
      "/tmp/p: wine wineboot --init",
      "/tmp/p: wineserver -k",
      "/tmp/p: wine wineboot --init",
      "/tmp/p: wineserver -w",
    ]);
  });

  it("gives up after the second failure, with both attempts' messages", async () => {
    const { run, calls } = recording([53, 53]);
    await assert.rejects(initWinePrefix(env, run), (e: Error) => {
      assert.match(e.message, /attempt 1: exit 53: .*kernel32[\s\S]*attempt 2: exit 53/);
      return true;
    });
    assert.equal(calls.filter((c) => c.includes("wineboot")).length, 2);
  });

  it("the prefix env overrides an inherited WINEPREFIX and silences Wine's debug output", () => {
    const e = winePrefixEnv("/tmp/q", { WINEPREFIX: "/elsewhere" });
    assert.deepEqual([e["WINEPREFIX"], e["WINEDEBUG"]], ["/tmp/q", "-all"]);
  });

  it("removeWinePrefix deletes the whole prefix folder (with or without Wine installed)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "koff-wine-rm-"));
    mkdirSync(path.join(dir, "prefix", "drive_c"), { recursive: true });
    writeFileSync(path.join(dir, "prefix", "system.reg"), "WINE REGISTRY Version 2\n");
    removeWinePrefix(winePrefixEnv(path.join(dir, "prefix")), dir);
    assert.equal(existsSync(dir), false);
  });
});
