/**
 * Live-mode parsers on recorded output (fixtures/windows/live) and, where Wine provides the
 * command, on its real output; and the live snapshot's process/network/event facts flowing into
 * triage and the catalogue.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { parseNetstatAno, isOutbound } from "../../src/windows/tool-output/netstat.js";
import { parseTasklistCsv } from "../../src/windows/tool-output/tasklist.js";
import { parseWevtutilXml } from "../../src/windows/tool-output/wevtutil.js";
import { checkMachine } from "../../src/app/check-machine.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { createLiveSnapshot } from "../../src/adapters/live/live-snapshot.js";
import { EXAMPLES, FIXTURES } from "../helpers/repo.js";
import { initWinePrefix, removeWinePrefix, winePrefixEnv } from "../helpers/wine-prefix.js";

const live = (name: string) => readFileSync(path.join(FIXTURES, "windows", "live", name), "utf8");
const wine = spawnSync("sh", ["-c", "command -v wine"]).status === 0;

describe("tasklist /m /fo csv", () => {
  it("reads processes and their modules, skipping the header and N/A lists", () => {
    const ps = parseTasklistCsv(live("tasklist-m.csv.txt"));
    assert.deepEqual(
      ps.map((p) => p.image),
      ["System Idle Process", "System", "svchost.exe", "OUTLOOK.EXE", "KoffBackend.exe", "powershell.exe"],
    );
    assert.equal(ps[0]!.modules, undefined);
    assert.ok(ps[3]!.modules!.includes("kofmsp32.dll"));
    assert.equal(ps[3]!.pid, 4312);
    assert.ok(ps[5]!.modules!.includes('"odd"'), "doubled quotes inside a field");
  });
  it("returns nothing for an empty or INFO-only listing", () => {
    assert.deepEqual(parseTasklistCsv(""), []);
    assert.deepEqual(
      parseTasklistCsv("INFO: No tasks are running which match the specified criteria.\r\n"),
      [],
    );
  });
});

describe("netstat -ano", () => {
  it("reads TCP and UDP lines with PIDs, IPv6 included", () => {
    const cs = parseNetstatAno(live("netstat-ano.txt"));
    assert.equal(cs.length, 8);
    assert.deepEqual(cs[1], {
      protocol: "TCP",
      local: "192.168.10.20:50123",
      remote: "198.51.100.7:443",
      state: "ESTABLISHED",
      pid: 5120,
    });
    assert.deepEqual(cs[6], { protocol: "UDP", local: "0.0.0.0:5353", remote: "*:*", pid: 2212 });
    assert.deepEqual(
      cs.filter(isOutbound).map((c) => c.remote),
      ["198.51.100.7:443", "203.0.113.66:8080"],
    );
  });
});

describe("wevtutil qe /f:xml", () => {
  it("reads provider, id, level, time and data strings with entities decoded", () => {
    const es = parseWevtutilXml(live("wevtutil-application.xml"), "Application");
    assert.equal(es.length, 3);
    assert.equal(es[0]!.provider, "Application Error");
    assert.equal(es[0]!.id, 1000);
    assert.equal(es[0]!.data["3"], "kofmsp32.dll", "unnamed <Data> by position");
    assert.equal(es[0]!.recordNumber, 48211);
    assert.equal(es[0]!.time, "2026-11-20T08:12:03.6541209Z");
    assert.match(es[1]!.data["0"]!, /& it was blocked$/);
    assert.equal(es[2]!.provider, "Microsoft-Windows-Security-SPP");
  });
  it("skips malformed records and survives garbage", () => {
    assert.deepEqual(
      parseWevtutilXml("<Event><System><EventID>x</EventID></System></Event><<<>>>", "Application"),
      [],
    );
  });
});

describe("Wine's own commands", { skip: wine ? false : "wine is not installed", timeout: 1_500_000 }, () => {
  // A fresh prefix (about 700 MB once Wine has set it up) for these tests only: booted explicitly
  // before the first command (an implicit boot under load can exit 53), and removed after them
  // with its wineserver stopped, so repeated runs do not fill /tmp.
  let env: NodeJS.ProcessEnv = {};
  before(async () => {
    env = winePrefixEnv(mkdtempSync(path.join(tmpdir(), "koff-wine-")));
    await initWinePrefix(env);
  });
  after(() => {
    const prefix = env["WINEPREFIX"];
    if (prefix !== undefined) removeWinePrefix(env, prefix);
  });
  it("netstat.exe -ano output parses (Wine prints the documented header)", () => {
    const r = spawnSync("wine", ["netstat.exe", "-ano"], { env, encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Proto\s+Local Address\s+Foreign Address\s+State/);
    for (const c of parseNetstatAno(r.stdout)) assert.ok(Number.isSafeInteger(c.pid));
  });
  it("tasklist.exe /m /fo csv output parses", () => {
    const r = spawnSync("wine", ["tasklist.exe", "/m", "/fo", "csv"], {
      env,
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    for (const p of parseTasklistCsv(r.stdout)) assert.ok(p.image.length > 0 && Number.isSafeInteger(p.pid));
  });
});

/** `check` on a "live" machine: the healthy image's files and registry, tools answered by `exec`. */
async function liveReport(exec: (cmd: string) => Promise<{ stdout: string; stderr: string; code: number }>) {
  const image = createImageSnapshot(path.join(EXAMPLES, "healthy"));
  const snapshot = await createLiveSnapshot({
    exec,
    fs: image.fs,
    registry: image.registry,
    systemRoot: "C:\\Windows",
  });
  return checkMachine(snapshot, { at: new Date("2026-11-21T00:00:00Z") });
}

describe("live snapshot facts flow into triage and checks", () => {
  it("processes, connections and events of a (recorded) live machine", async () => {
    const outputs: Record<string, string> = {
      "tasklist.exe": live("tasklist-m.csv.txt"),
      "netstat.exe": live("netstat-ano.txt"),
      "wevtutil.exe": live("wevtutil-application.xml"),
    };
    const exec = async (cmd: string) => ({
      stdout: outputs[path.win32.basename(cmd)] ?? "",
      stderr: "",
      code: 0,
    });
    const report = await liveReport(exec);
    const ids = report.findings.map((f) => f.id);
    assert.ok(ids.includes("outlook-crash-in-provider"), ids.join());
    assert.ok(ids.includes("mapi-provider-blocked"), ids.join());
    const dll = report.facts.triage.find((t) => t.windowsPath?.endsWith("kofmsp32.dll"))!;
    const proc = dll.indicators.find((i) => i.id === "process")!;
    assert.equal(proc.level, "malicious", "powershell.exe has the provider loaded");
    assert.match(proc.evidence, /powershell\.exe \(pid 6001\)/);
    const net = dll.indicators.find((i) => i.id === "cpu-network")!;
    assert.equal(net.level, "suspicious", "PowerShell, an unexpected host, talks to 203.0.113.66");
    assert.match(net.evidence, /powershell\.exe \(pid 6001\) → 203\.0\.113\.66:8080/);
    assert.doesNotMatch(net.evidence, /OUTLOOK/, "Outlook's own connections are not judged");
    // Events and processes are visible; only free space may be unknown off Windows (no C:\ to statfs).
    assert.deepEqual(
      report.notRun.filter((n) => n.id !== "cache-disk-space-low"),
      [],
    );
    assert.equal(
      report.facts.processes?.find((p) => p.image === "OUTLOOK.EXE")?.modules?.join(),
      "kofmsp32.dll,fbclient.dll",
    );
  });

  it("a failing tool makes its facts unknown, never empty", async () => {
    const exec = async () => ({ stdout: "", stderr: "Access is denied.", code: 1 });
    const report = await liveReport(exec);
    assert.match(report.facts.unknown["processes"] ?? "", /Access is denied/);
    assert.match(report.facts.unknown["events"] ?? "", /could not be read/);
    const dll = report.facts.triage.find((t) => t.windowsPath?.endsWith("kofmsp32.dll"))!;
    assert.equal(dll.indicators.find((i) => i.id === "process")!.level, "unknown");
    assert.ok(
      report.notRun.some((n) => n.id === "outlook-crash-in-provider"),
      "event checks are not run on a failed read",
    );
  });

  it("unreadable module lists (N/A without elevation) make 'not loaded' unknown", async () => {
    const csv = '"Image Name","PID","Modules"\r\n"OUTLOOK.EXE","4312","N/A"\r\n';
    const exec = async (cmd: string) => ({
      stdout: cmd.endsWith("tasklist.exe") ? csv : "",
      stderr: "",
      code: 0,
    });
    const report = await liveReport(exec);
    const dll = report.facts.triage.find((t) => t.windowsPath?.endsWith("kofmsp32.dll"))!;
    assert.equal(dll.indicators.find((i) => i.id === "process")!.level, "unknown");
    assert.match(report.facts.unknown["processModules"] ?? "", /OUTLOOK\.EXE/);
  });
});
