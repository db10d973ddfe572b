/**
 * Live-mode operations (reg.exe, PowerShell) against a fake Windows that keeps registry keys,
 * values and Defender exclusions in memory and answers the commands the way reg.exe and
 * PowerShell do (exit 0/1). Checks the exact commands, idempotence, and that undo restores.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import type { Exec } from "../../src/ports/exec.js";
import { applyStep, undoRun } from "../../src/runbook/index.js";
import type { Operation } from "../../src/runbook/model.js";
import { perform, revert, type LiveTools } from "../../src/runbook/operations.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { EXAMPLES } from "../helpers/repo.js";

const tmp = mkdtempSync(path.join(tmpdir(), "koff-live-ops-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A registry of key → (name → "TYPE:data"), Defender exclusions, and a log of every command run. */
class FakeWindows {
  keys = new Map<string, Map<string, string>>();
  exclusions: string[] = [];
  log: string[] = [];
  exec: Exec = async (cmd, args) => {
    this.log.push(`${path.win32.basename(cmd)} ${args.join(" ")}`);
    const ok = (stdout = "") => ({ stdout, stderr: "", code: 0 });
    const fail = () => ({
      stdout: "",
      stderr: "ERROR: The system was unable to find the specified registry key or value.",
      code: 1,
    });
    const k = (key: string) => [...this.keys.keys()].find((x) => x.toLowerCase() === key.toLowerCase());
    if (cmd.endsWith("reg.exe")) {
      const [verb, key, ...rest] = args;
      const found = k(key!);
      if (verb === "query") {
        if (!found) return fail();
        if (rest[0] === "/v") return this.keys.get(found)!.has(rest[1]!) ? ok() : fail();
        return ok();
      }
      if (verb === "export") {
        if (!found) return fail();
        const under = [...this.keys].filter(([x]) => x.toLowerCase().startsWith(found.toLowerCase()));
        writeFileSync(rest[0]!, JSON.stringify(under.map(([x, v]) => [x, [...v]])));
        return ok();
      }
      if (verb === "delete") {
        if (!found) return fail();
        if (rest[0] === "/v") return this.keys.get(found)!.delete(rest[1]!) ? ok() : fail();
        for (const x of [...this.keys.keys()])
          if (x.toLowerCase().startsWith(found.toLowerCase())) this.keys.delete(x);
        return ok();
      }
      if (verb === "import") {
        for (const [x, v] of JSON.parse(readFileSync(key!, "utf8")) as Array<
          [string, Array<[string, string]>]
        >)
          this.keys.set(x, new Map(v));
        return ok();
      }
      if (verb === "add") {
        const name = rest[rest.indexOf("/v") + 1]!;
        const type = rest[rest.indexOf("/t") + 1]!;
        const data = rest[rest.indexOf("/d") + 1]!;
        if (!found) this.keys.set(key!, new Map());
        this.keys.get(k(key!)!)!.set(name, `${type}:${data}`);
        return ok();
      }
    }
    if (cmd.endsWith("powershell.exe")) {
      const script = args.at(-1)!;
      // The list, then the script's closing string literal (the reader's end-of-answer mark).
      if (script.includes("(Get-MpPreference)"))
        return ok([...this.exclusions, /'([^']*)'$/.exec(script)![1]].join("\n"));
      const m = /^(Add|Remove)-MpPreference -ExclusionPath '(.*)'$/.exec(script);
      if (m) {
        const p = m[2]!.replace(/''/g, "'");
        if (m[1] === "Add") this.exclusions.push(p);
        else this.exclusions = this.exclusions.filter((x) => x !== p);
        return ok();
      }
    }
    return { stdout: "", stderr: `unexpected ${cmd}`, code: 9009 };
  };
}

const PROFILE = "HKCU\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Kerio";

describe("live operations", () => {
  it("reg-delete-key exports first, deletes, is idempotent, and undo imports it back", async () => {
    const win = new FakeWindows();
    win.keys.set(PROFILE, new Map([["x", "REG_SZ:1"]]));
    win.keys.set(`${PROFILE}\\9207f3e0a3b11019908b08002b2a56c2`, new Map([["01023d0e", "REG_BINARY:aa"]]));
    const tools: LiveTools = { exec: win.exec, system32: "C:\\Windows\\System32" };
    const op: Operation = {
      kind: "reg-delete-key",
      what: "t",
      key: PROFILE,
      exportFile: path.join(tmp, "p.reg"),
    };
    const before = JSON.stringify([...win.keys].map(([k, v]) => [k, [...v]]));
    await perform(op, tools);
    assert.equal(win.keys.size, 0);
    assert.deepEqual(win.log.slice(0, 3), [
      `reg.exe query ${PROFILE}`,
      `reg.exe export ${PROFILE} ${op.exportFile}.partial /y`,
      `reg.exe delete ${PROFILE} /f`,
    ]);
    await perform(op, tools); // a re-run after a crash: nothing left to do
    assert.equal(win.log.filter((l) => l.startsWith("reg.exe delete")).length, 1);
    await revert(op, tools);
    await revert(op, tools);
    assert.equal(JSON.stringify([...win.keys].map(([k, v]) => [k, [...v]])), before);
  });

  it("defender-exclusion adds once and undo removes only what it added", async () => {
    const win = new FakeWindows();
    win.exclusions = ["C:\\Other"];
    const tools: LiveTools = { exec: win.exec, system32: "C:\\Windows\\System32" };
    const op: Operation = {
      kind: "defender-exclusion",
      what: "t",
      path: "C:\\Program Files (x86)\\Kerio\\It's here",
    };
    await perform(op, tools);
    await perform(op, tools);
    assert.deepEqual(win.exclusions, ["C:\\Other", "C:\\Program Files (x86)\\Kerio\\It's here"]);
    assert.ok(
      win.log.some((l) =>
        l.endsWith("Add-MpPreference -ExclusionPath 'C:\\Program Files (x86)\\Kerio\\It''s here'"),
      ),
    );
    await revert(op, tools);
    assert.deepEqual(win.exclusions, ["C:\\Other"]);
  });

  it("recreate-profile in live mode plans reg export/delete and undo restores the key and DefaultProfile", async () => {
    const win = new FakeWindows();
    const image = createImageSnapshot(path.join(EXAMPLES, "healthy"));
    const snapshot = { ...image, mode: "live" as const };
    const key = "HKU\\alice\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Kerio";
    const defaultKey = "HKU\\alice\\Software\\Microsoft\\Office\\16.0\\Outlook";
    win.keys.set(key, new Map([["x", "REG_SZ:1"]]));
    win.keys.set(defaultKey, new Map([["DefaultProfile", "REG_SZ:Kerio"]]));
    const state = path.join(tmp, "state");
    const env = {
      snapshot,
      stateDir: state,
      quarantineRoot: path.join(tmp, "quarantine"),
      live: { exec: win.exec, system32: "C:\\Windows\\System32" },
      at: new Date("2026-11-21T00:00:00Z"),
    };
    const run = await applyStep(env, { step: "recreate-profile" });
    assert.deepEqual(
      run.status.header.operations.map((o) => o.kind),
      ["reg-delete-key", "reg-delete-value"],
    );
    assert.ok(!win.keys.has(key));
    assert.ok(!win.keys.get(defaultKey)!.has("DefaultProfile"));
    await undoRun(env);
    assert.ok(win.keys.has(key));
    assert.equal(win.keys.get(defaultKey)!.get("DefaultProfile"), "REG_SZ:Kerio");
  });
});
