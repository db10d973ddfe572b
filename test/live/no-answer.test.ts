/**
 * A tool that exited 0 but printed nothing (or printed no real answer) has told us nothing: every
 * live reader turns that into `unknown` with the command and the reason, never into an empty list.
 * Inputs: blank output, the outputs Wine 8.0's stubs print (recorded in fixtures/windows/live),
 * and malformed text; each reader is also shown to accept a real answer, so the tests can fail.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { RegExeRegistry } from "../../src/adapters/live/reg-exe-registry.js";
import { createLiveSnapshot } from "../../src/adapters/live/live-snapshot.js";
import { checkMachine } from "../../src/app/check-machine.js";
import type { Exec } from "../../src/ports/exec.js";
import { perform, type LiveTools } from "../../src/runbook/operations.js";
import { readNetstatAnswer } from "../../src/windows/tool-output/netstat.js";
import { readTasklistAnswer } from "../../src/windows/tool-output/tasklist.js";
import { readWevtutilAnswer } from "../../src/windows/tool-output/wevtutil.js";
import { WindowsStateError } from "../../src/windows/errors.js";
import { EXAMPLES, FIXTURES } from "../helpers/repo.js";

const live = (name: string) => readFileSync(path.join(FIXTURES, "windows", "live", name), "latin1");

/** Asserts `fn` throws `no-answer` naming `command` and matching `reason`. */
function assertNoAnswer(fn: () => unknown, command: string, reason: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof WindowsStateError, String(e));
    assert.equal(e.code, "no-answer");
    assert.ok(e.message.startsWith(`${command} exited 0 but `), e.message);
    assert.match(e.message, reason);
    return true;
  });
}

const BLANKS = ["", "\r\n", "  \r\n\r\n", "\0\0"];

describe("each reader: blank or malformed output with exit 0 is no answer", () => {
  it("tasklist: blank output, a header alone, or an INFO line", () => {
    const cmd = "tasklist.exe /m /fo csv";
    for (const b of BLANKS) assertNoAnswer(() => readTasklistAnswer(b, cmd), cmd, /printed nothing/);
    assertNoAnswer(
      () => readTasklistAnswer('"Image Name","PID","Modules"\r\n', cmd),
      cmd,
      /listed no process/,
    );
    assertNoAnswer(() => readTasklistAnswer("INFO: No tasks are running.\r\n", cmd), cmd, /no process/);
    assert.equal(readTasklistAnswer(live("tasklist-m.csv.txt"), cmd).length, 6);
  });

  it("netstat: blank output, and Wine 8.0's header-only answer to -ano", () => {
    const cmd = "netstat.exe -ano";
    for (const b of BLANKS) assertNoAnswer(() => readNetstatAnswer(b, cmd), cmd, /printed nothing/);
    assertNoAnswer(() => readNetstatAnswer(live("wine-8.0-netstat-ano.txt"), cmd), cmd, /no TCP or UDP/);
    assert.equal(readNetstatAnswer(live("netstat-ano.txt"), cmd).length, 8);
  });

  it("wevtutil: blank output, and text without one readable <Event>", () => {
    const cmd = "wevtutil.exe qe Application /f:xml";
    for (const b of BLANKS)
      assertNoAnswer(
        () => readWevtutilAnswer(b, "Application", cmd),
        cmd,
        /printed nothing for the Application log/,
      );
    assertNoAnswer(
      () => readWevtutilAnswer("Usage: wevtutil COMMAND [ARGUMENT [ARGUMENT] ...]", "Application", cmd),
      cmd,
      /no readable <Event>/,
    );
    assert.equal(readWevtutilAnswer(live("wevtutil-application.xml"), "Application", cmd).length, 3);
  });

  it("reg: the probe of a key every Windows has refuses a blank, value-less or 'missing' answer", async () => {
    const answering =
      (stdout: string, code = 0): Exec =>
      async () => ({ stdout, stderr: "", code });
    const cmd = 'reg query "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"';
    const probe = (exec: Exec) => new RegExeRegistry({ exec }).probe();
    for (const b of BLANKS)
      await assert.rejects(probe(answering(b)), (e: Error) =>
        e.message.startsWith(`${cmd} exited 0 but printed nothing`),
      );
    await assert.rejects(
      probe(answering("\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\r\n")),
      /printed none of the key's values/,
    );
    await assert.rejects(probe(answering("", 1)), {
      code: "no-answer",
      message: /reported a key every Windows has as missing/,
    });
    await probe(answering(live("wine-8.0-reg-query-currentversion.txt")));
  });

  it("powershell: Get-MpPreference that exits 0 without its end mark leaves Defender exclusions unknown", async () => {
    const op = { kind: "defender-exclusion" as const, what: "t", path: "C:\\Kerio" };
    const tools = (stdout: string): LiveTools => ({
      exec: async () => ({ stdout, stderr: "", code: 0 }),
      system32: "C:\\Windows\\System32",
    });
    for (const b of [...BLANKS, "C:\\Kerio\r\n"])
      await assert.rejects(perform(op, tools(b)), {
        code: "io",
        message:
          /Defender exclusions are unknown: powershell\.exe Get-MpPreference exited 0 without printing its answer/,
      });
    // The real answer: the list, then the end mark; the path is listed, so nothing is added.
    assert.deepEqual(await perform(op, tools("C:\\Kerio\r\nkoff-doctor:end-of-list\r\n")), { added: false });
  });
});

describe("check in live mode: stubs that print nothing make processes, network and events unknown", () => {
  it("names the command and the reason, and judges no process as not running", async () => {
    const exec: Exec = async (cmd) => ({
      stdout: cmd.endsWith("netstat.exe") ? live("wine-8.0-netstat-ano.txt") : "",
      stderr: "",
      code: 0,
    });
    const image = createImageSnapshot(path.join(EXAMPLES, "healthy"));
    const snapshot = await createLiveSnapshot({ exec, fs: image.fs, registry: image.registry });
    const report = await checkMachine(snapshot, { at: new Date("2026-11-21T00:00:00Z") });
    assert.equal(report.facts.processes, undefined, "no process list, not an empty one");
    assert.match(
      report.facts.unknown["processes"] ?? "",
      /tasklist\.exe \/m \/fo csv exited 0 but printed nothing/,
    );
    assert.match(
      report.facts.unknown["network"] ?? "",
      /netstat\.exe -ano exited 0 but listed no TCP or UDP endpoint/,
    );
    assert.match(
      report.facts.unknown["events"] ?? "",
      /wevtutil\.exe qe Application .* exited 0 but printed nothing/,
    );
    const dll = report.facts.triage.find((t) => t.windowsPath?.endsWith("kofmsp32.dll"))!;
    assert.equal(dll.indicators.find((i) => i.id === "process")!.level, "unknown");
  });
});
