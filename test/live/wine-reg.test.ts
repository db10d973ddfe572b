/**
 * Drives the live adapter against a real reg.exe implementation: Wine's, in a private
 * WINEPREFIX under the OS temp dir (created once for this file with an explicit
 * `wineboot --init`, 5–30 s, before any reg call; removed after). Skips with a message when
 * `wine` is not installed.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { RegExeRegistry, nodeExec } from "../../src/adapters/live/index.js";
import type { Exec } from "../../src/ports/exec.js";
import { RegType } from "../../src/ports/registry.js";
import { readOutlookProfiles } from "../../src/windows/index.js";
import { initWinePrefix, removeWinePrefix, winePrefixEnv } from "../helpers/wine-prefix.js";

const hasWine = spawnSync("wine", ["--version"], { encoding: "utf8" }).status === 0;
const skip = hasWine ? false : "wine is not installed (apt-get install wine); skipping the real reg.exe test";

describe("RegExeRegistry against Wine's reg.exe", { skip, timeout: 1_500_000 }, () => {
  let dir = "";
  let env: NodeJS.ProcessEnv = {};
  let exec: Exec;
  const reg = async (...args: string[]): Promise<void> => {
    const r = await exec("reg", args);
    assert.equal(r.code, 0, `reg ${args.join(" ")} failed: ${String(r.stdout)} ${String(r.stderr)}`);
  };
  const K = "HKCU\\Software\\KoffDoctorWineTest";

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "koff-doctor-wine-"));
    const prefix = path.join(dir, "prefix");
    env = winePrefixEnv(prefix);
    // A reg call on an empty prefix boots it implicitly, which under load can exit 53 ("could
    // not load kernel32.dll"): boot it explicitly first.
    await initWinePrefix(env);
    const run = nodeExec({
      timeoutMs: 120_000,
      env: { WINEPREFIX: prefix, WINEDEBUG: "-all" },
    });
    exec = (cmd, args) => run("wine", [cmd, ...args]);
    await reg("add", K, "/ve", "/t", "REG_SZ", "/d", "dflt", "/f");
    await reg("add", K, "/v", "Str", "/t", "REG_SZ", "/d", "C:\\Program Files (x86)\\Kerio", "/f");
    await reg("add", K, "/v", "Exp", "/t", "REG_EXPAND_SZ", "/d", "%TEMP%\\x", "/f");
    await reg("add", K, "/v", "Multi", "/t", "REG_MULTI_SZ", "/d", "one\\0two", "/f");
    await reg("add", K, "/v", "Dw", "/t", "REG_DWORD", "/d", "4294967295", "/f");
    await reg("add", K, "/v", "Bin", "/t", "REG_BINARY", "/d", "00ff10", "/f");
    await reg("add", K, "/v", "Wide", "/t", "REG_SZ", "/d", "Caf\u00e9 \u4e2d", "/f");
    const p = `${K}\\Office\\16.0\\Outlook\\Profiles\\Main\\00112233445566778899aabbccddeeff`;
    await reg(
      "add",
      p,
      "/v",
      "001f3d0a",
      "/t",
      "REG_BINARY",
      "/d",
      Buffer.from("kofmsp.dll\0", "utf16le").toString("hex"),
      "/f",
    );
    await reg(
      "add",
      `${K}\\Office\\16.0\\Outlook`,
      "/v",
      "DefaultProfile",
      "/t",
      "REG_SZ",
      "/d",
      "Main",
      "/f",
    );
  });

  after(() => {
    if (dir !== "") removeWinePrefix(env, dir);
  });

  it("reads values of each type and subkeys with a plain query", async () => {
    const port = new RegExeRegistry({ exec, regExe: "reg" });
    const k = await port.getKey(K);
    assert.ok(k);
    const v = Object.fromEntries(k.values.map((x) => [x.name, x]));
    assert.equal(v[""]?.value, "dflt");
    assert.equal(v["Str"]?.value, "C:\\Program Files (x86)\\Kerio");
    assert.deepEqual([v["Exp"]?.type, v["Exp"]?.value], [RegType.REG_EXPAND_SZ, "%TEMP%\\x"]);
    assert.deepEqual(v["Multi"]?.value, ["one", "two"]);
    assert.equal(v["Dw"]?.value, 0xffffffff);
    assert.deepEqual([...v["Bin"]!.data], [0x00, 0xff, 0x10]);
    assert.deepEqual(k.subkeys, ["Office"]);
    assert.equal(await port.getKey(`${K}\\Missing`), undefined);
    assert.equal(port.failures.length, 1);
  });

  it("walks an Outlook profile written with reg add, after one /s prefetch", async () => {
    // The profile lives under the test key; a thin view maps the user's Office key onto it.
    const moved = new RegExeRegistry({ exec, regExe: "reg" });
    assert.ok((await moved.prefetch(`${K}\\Office`)) >= 4);
    const direct = await moved.getKey(
      `${K}\\Office\\16.0\\Outlook\\Profiles\\Main\\00112233445566778899aabbccddeeff`,
    );
    assert.equal(Buffer.from(direct!.values[0]!.data).toString("utf16le"), "kofmsp.dll\0");
    const view = {
      describe: () => moved.describe(),
      health: async () => [],
      users: async () => [{ user: "wine", root: "VIEW" }],
      getKey: (p: string) => moved.getKey(p.replace(/^VIEW\\Software\\Microsoft\\Office/, `${K}\\Office`)),
    };
    const r = await readOutlookProfiles(view);
    const prof = r.profiles.find((x) => x.office === "16.0");
    assert.deepEqual(
      [prof?.name, prof?.isDefault, prof?.services[0]?.dllName, prof?.services[0]?.isKoff],
      ["Main", true, "kofmsp.dll", true],
    );
  });

  it("reg export keeps non-ASCII text that the OEM-code-page query output loses", async () => {
    const port = new RegExeRegistry({
      exec,
      regExe: "reg",
      tempFile: {
        create: async () => `Z:${path.join(dir, "export.reg").replaceAll("/", "\\")}`,
        read: async (p) => new Uint8Array(readFileSync(p.slice(2).replaceAll("\\", "/"))),
        remove: async (p) => rmSync(p.slice(2).replaceAll("\\", "/"), { force: true }),
      },
    });
    const viaQuery = (await new RegExeRegistry({ exec, regExe: "reg" }).getKey(K))?.values.find(
      (x) => x.name === "Wide",
    );
    assert.notEqual(viaQuery?.value, "Caf\u00e9 \u4e2d", "query output cannot carry U+4E2D in code page 437");
    assert.ok((await port.prefetchExport(K)) >= 5);
    const k = await port.getKey(K);
    assert.equal(k?.values.find((x) => x.name === "Wide")?.value, "Caf\u00e9 \u4e2d");
    assert.equal(k?.values.find((x) => x.name === "Dw")?.value, 0xffffffff);
    assert.deepEqual(k?.subkeys, ["Office"]);
  });
});
