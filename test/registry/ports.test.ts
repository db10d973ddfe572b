/** Tests of the registry port adapters: memory fake, `.reg` files, and hives in an image directory. */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { RegType } from "../../src/ports/registry.js";
import {
  HiveRegistryPort,
  createMemoryRegistryPort,
  createRegFileRegistryPort,
  resolveInImage,
} from "../../src/adapters/index.js";
import { RegistryError, encodeRegText } from "../../src/registry/index.js";
import { hiveFixtureDir } from "./helpers.js";

describe("memory registry port", () => {
  const reg = createMemoryRegistryPort({
    "HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook": { DefaultProfile: "Outlook" },
    "HKLM\\SOFTWARE\\Kerio": {
      Version: 0x0a00,
      Paths: ["a", "b"],
      Blob: new Uint8Array([1, 2]),
      Big: 5n,
      Exp: { type: RegType.REG_EXPAND_SZ, value: "%TEMP%" },
      Raw: { type: 0x99, data: new Uint8Array([7]) },
    },
    "HKU\\alice\\Software": {},
    "HKU\\.DEFAULT\\Software": {},
    "HKU\\alice_Classes": {},
  });
  it("serves keys case-insensitively with long or short root names", async () => {
    const k = await reg.getKey("hklm\\software\\KERIO");
    assert.ok(k);
    assert.equal(k.path, "HKLM\\SOFTWARE\\Kerio");
    const byName = new Map(k.values.map((v) => [v.name, v]));
    assert.equal(byName.get("Version")!.value, 0x0a00);
    assert.equal(byName.get("Version")!.type, RegType.REG_DWORD);
    assert.deepEqual(byName.get("Paths")!.value, ["a", "b"]);
    assert.equal(byName.get("Blob")!.type, RegType.REG_BINARY);
    assert.equal(byName.get("Big")!.value, 5n);
    assert.equal(byName.get("Exp")!.value, "%TEMP%");
    assert.equal(byName.get("Raw")!.type, 0x99);
    assert.deepEqual((await reg.getKey("HKEY_LOCAL_MACHINE\\SOFTWARE"))!.subkeys, ["Kerio"]);
    assert.equal(
      (await reg.getKey("HKCU\\Software\\Microsoft\\Office\\16.0\\Outlook"))!.values[0]!.value,
      "Outlook",
    );
  });
  it("missing keys are undefined, never a throw", async () => {
    assert.equal(await reg.getKey("HKLM\\SOFTWARE\\Nope"), undefined);
    assert.equal(await reg.getKey("HKXX\\a"), undefined);
    assert.equal(await reg.getKey(""), undefined);
  });
  it("users() lists HKU subkeys except .DEFAULT and *_Classes", async () => {
    assert.deepEqual(await reg.users(), [{ user: "alice", root: "HKU\\alice" }]);
  });
  it("rejects values it cannot encode", () => {
    assert.throws(
      () => createMemoryRegistryPort({ "HKLM\\X": { n: -1 } }),
      (e) => e instanceof RegistryError && e.code === "unsupported",
    );
    assert.throws(
      () => createMemoryRegistryPort({ "HKLM\\X": { n: { type: RegType.REG_DWORD, value: "x" } } }),
      RegistryError,
    );
  });
});

describe(".reg file registry port", () => {
  const v5 = "Windows Registry Editor Version 5.00\r\n\r\n";
  const a = encodeRegText(
    `${v5}[HKEY_CURRENT_USER\\Software\\A]\r\n"x"="1"\r\n"gone"="g"\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\M]\r\n"d"=dword:00000002\r\n`,
    "utf-16le",
  );
  const b = `${v5}[HKEY_CURRENT_USER\\Software\\A]\r\n"gone"=-\r\n"y"=hex(7):61,00,00,00,00,00\r\n`;
  it("applies files in order; HKCU maps to HKU\\<currentUser> when given", async () => {
    const reg = createRegFileRegistryPort(
      [
        { name: "a.reg", content: a },
        { name: "b.reg", content: b },
      ],
      { currentUser: "bob" },
    );
    const k = await reg.getKey("HKU\\bob\\Software\\A");
    assert.ok(k);
    assert.deepEqual(
      k.values.map((v) => [v.name, v.value]),
      [
        ["x", "1"],
        ["y", ["a"]],
      ],
    );
    assert.deepEqual(await reg.getKey("HKCU\\Software\\A"), k);
    assert.equal((await reg.getKey("HKLM\\SOFTWARE\\M"))!.values[0]!.value, 2);
    assert.deepEqual(await reg.users(), [{ user: "bob", root: "HKU\\bob" }]);
    assert.match(reg.describe(), /a\.reg, b\.reg/);
  });
  it("without currentUser HKCU stays its own root", async () => {
    const reg = createRegFileRegistryPort([{ name: "a.reg", content: a }]);
    assert.ok(await reg.getKey("HKEY_CURRENT_USER\\Software\\A"));
    assert.deepEqual(await reg.users(), []);
  });
  it("a file that does not parse throws reg-syntax naming it, or is skipped on request", () => {
    const bad = { name: "bad.reg", content: `${v5}[K]\r\nrubbish\r\n` };
    assert.throws(
      () => createRegFileRegistryPort([bad]),
      (e) => e instanceof RegistryError && e.code === "reg-syntax" && e.path === "bad.reg" && e.line === 4,
    );
    const reg = createRegFileRegistryPort([bad, { name: "a.reg", content: a }], { onError: "skip" });
    assert.equal(reg.problems.length, 1);
    assert.equal(reg.problems[0]!.name, "bad.reg");
  });
});

describe("image hive registry port", () => {
  let root: string;
  let outside: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), "koff-image-"));
    outside = mkdtempSync(path.join(tmpdir(), "koff-outside-"));
    // Odd casing on purpose: lookups must be case-insensitive like Windows.
    mkdirSync(path.join(root, "windows", "SYSTEM32", "Config"), { recursive: true });
    copyFileSync(
      path.join(hiveFixtureDir, "SOFTWARE.hiv"),
      path.join(root, "windows", "SYSTEM32", "Config", "software"),
    );
    for (const [user, hive] of [
      ["alice", "ntuser-office16.hiv"],
      ["Bob", "ntuser-office15.hiv"],
      ["Default", "ntuser-wms.hiv"],
    ] as const) {
      mkdirSync(path.join(root, "Users", user), { recursive: true });
      copyFileSync(
        path.join(hiveFixtureDir, hive),
        path.join(root, "Users", user, user === "Bob" ? "ntuser.dat" : "NTUSER.DAT"),
      );
    }
    mkdirSync(path.join(root, "Users", "Public"), { recursive: true });
    mkdirSync(path.join(root, "Users", "nohive"), { recursive: true });
    // A profile whose NTUSER.DAT is a symlink leaving the image: must not be followed.
    mkdirSync(path.join(root, "Users", "evil"), { recursive: true });
    copyFileSync(path.join(hiveFixtureDir, "ntuser-wms.hiv"), path.join(outside, "NTUSER.DAT"));
    symlinkSync(path.join(outside, "NTUSER.DAT"), path.join(root, "Users", "evil", "NTUSER.DAT"));
    // Not a hive at all.
    mkdirSync(path.join(root, "Users", "broken"), { recursive: true });
    writeFileSync(path.join(root, "Users", "broken", "NTUSER.DAT"), "not a hive");
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("maps HKLM\\SOFTWARE to Windows/System32/config/SOFTWARE, case-insensitively", async () => {
    const reg = new HiveRegistryPort(root);
    const k = await reg.getKey(
      "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{6D1A2F10-0B7E-4C1B-9A55-3E2F7C0A1B01}",
    );
    assert.ok(k);
    assert.equal(
      k.values.find((v) => v.name === "DisplayName")!.value,
      "Kerio Outlook Connector (Offline Edition)",
    );
    assert.equal(
      k.path,
      "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{6D1A2F10-0B7E-4C1B-9A55-3E2F7C0A1B01}",
    );
    const top = await reg.getKey("hkey_local_machine\\software");
    assert.ok(top!.subkeys.includes("Microsoft"));
    assert.equal(await reg.getKey("HKLM\\SYSTEM\\Select"), undefined, "missing hive file → undefined");
    assert.deepEqual((await reg.getKey("HKLM"))!.subkeys, ["SOFTWARE"]);
  });
  it("maps HKU\\<name> to Users/<name>/NTUSER.DAT (any case)", async () => {
    const reg = new HiveRegistryPort(root);
    const o16 = await reg.getKey("HKU\\alice\\Software\\Microsoft\\Office\\16.0\\Outlook");
    assert.equal(o16!.values[0]!.value, "Outlook");
    const o15 = await reg.getKey("HKU\\bob\\software\\microsoft\\office\\15.0\\outlook\\profiles");
    assert.deepEqual(o15!.subkeys, ["Outlook"]);
    assert.ok(await reg.getKey("HKU\\Default\\Software"), "the Default profile hive is reachable by path");
  });
  it("users() lists profiles with a hive, without Default/Public and folders lacking NTUSER.DAT", async () => {
    const reg = new HiveRegistryPort(root);
    const users = (await reg.users()).map((u) => u.user);
    assert.deepEqual(users.filter((u) => u !== "broken").sort(), ["Bob", "alice"].sort());
  });
  it("never leaves the image root", async () => {
    const reg = new HiveRegistryPort(root);
    assert.equal(await reg.getKey("HKU\\evil\\Software"), undefined);
    assert.equal(await reg.getKey("HKU\\..\\Software"), undefined);
    assert.equal(await resolveInImage(root, ["Users", "..", "..", "etc"]), undefined);
    assert.equal(await resolveInImage(root, ["Users/alice"]), undefined);
    assert.equal(
      await resolveInImage(root, ["USERS", "ALICE", "ntuser.dat"]),
      path.join(await import("node:fs").then((f) => f.realpathSync(root)), "Users", "alice", "NTUSER.DAT"),
    );
  });
  it("opens each hive once and reports what it opened; a non-hive throws a RegistryError naming the file", async () => {
    const reg = new HiveRegistryPort(root);
    await reg.getKey("HKU\\alice\\Software");
    await reg.getKey("HKU\\ALICE\\Software\\Microsoft");
    const opened = await reg.openedHives();
    assert.equal(opened.length, 1);
    assert.equal(opened[0]!.mount, "HKU\\alice");
    assert.equal(opened[0]!.dirty, false);
    await assert.rejects(
      reg.getKey("HKU\\broken\\Software"),
      (e) => e instanceof RegistryError && e.code === "bad-signature" && /NTUSER\.DAT/.test(e.message),
    );
  });
});
