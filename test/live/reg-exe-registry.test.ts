import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { RegExeRegistry } from "../../src/adapters/live/index.js";
import type { Exec } from "../../src/ports/exec.js";
import { WindowsStateError, readCertificateStores, readOutlookProfiles } from "../../src/windows/index.js";
import { fixture, replayExec } from "./helpers.js";

const ok = (name: string) => ({ stdout: fixture("reg-query", name), stderr: new Uint8Array(0), code: 0 });

describe("RegExeRegistry over recorded reg.exe output", () => {
  it("answers getKey from a non-recursive query: values and subkeys", async () => {
    const exec = replayExec({
      "query HKEY_CURRENT_USER\\Software\\KoffDoctorFixture /reg:64": ok("value-types.txt"),
    });
    const reg = new RegExeRegistry({ exec, view: "64" });
    const k = await reg.getKey("HKCU\\Software\\KoffDoctorFixture");
    assert.ok(k);
    assert.deepEqual(k.subkeys, ["Sub"]);
    assert.equal(k.values.find((v) => v.name === "Dword")?.value, 0x12345678);
    assert.equal(k.path, "HKCU\\Software\\KoffDoctorFixture");
    assert.equal(await reg.getKey("HKCU\\Software\\Nope"), undefined);
    assert.equal(reg.failures.length, 1);
    assert.match(reg.failures[0]!.stderr, /unable to find/);
    assert.equal(reg.describe(), "live reg.exe (/reg:64)");
  });

  it("handles the Windows non-recursive layout (hand-written)", async () => {
    const exec = replayExec({
      "query HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Office\\ClickToRun": ok("windows-format.txt"),
    });
    const k = await new RegExeRegistry({ exec }).getKey("HKLM\\SOFTWARE\\Microsoft\\Office\\ClickToRun");
    assert.deepEqual(k?.subkeys, ["Configuration", "ProductReleaseIDs", "REGISTRY"]);
    assert.equal(k?.values[0]?.value, "C:\\Program Files\\Microsoft Office");
  });

  it("reads an Outlook profile end to end with one reg.exe run per layout", async () => {
    const exec = replayExec({
      "query HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook /s": ok("outlook-profile.s.txt"),
    });
    const reg = new RegExeRegistry({ exec, users: [{ user: "alice", root: "HKCU" }] });
    const r = await readOutlookProfiles(reg);
    const p = r.profiles.find((x) => x.office === "16.0");
    assert.ok(p);
    assert.deepEqual([p.name, p.isDefault, p.serviceTableFound], ["Kerio", true, true]);
    const s = p.services[0]!;
    assert.deepEqual(
      [s.serviceName, s.dllName, s.entryName, s.dllNameForm, s.isKoff, s.listedInServiceTable],
      ["KOFF", "KOFMSP.DLL", "ServiceEntry", "unicode", true, true],
    );
    // readOutlookProfiles prefetches each layout's key: exactly three `reg query /s` runs.
    assert.deepEqual(
      exec.calls.map((a) => a.at(-1)),
      ["/s", "/s", "/s"],
    );
    assert.equal(await reg.prefetch("HKCU\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles"), 4);
    assert.equal(exec.calls.length, 3, "a prefetch inside a loaded subtree runs nothing");
  });

  it("decodes certificate blobs serialised by Wine's crypt32", async () => {
    const exec = replayExec({
      "query HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SystemCertificates\\ROOT\\Certificates /s":
        ok("cert-root-store.s.txt"),
    });
    const reg = new RegExeRegistry({ exec });
    await reg.prefetch("HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\ROOT\\Certificates");
    const r = await readCertificateStores(reg, { stores: ["ROOT"] });
    assert.deepEqual(r.errors, []);
    assert.equal(r.certificates.length, 3);
    assert.ok(r.certificates.every((c) => c.thumbprintMatchesKey));
    const sha1 = Buffer.from(fixture("certs", "test-root.sha1")).toString("latin1").trim();
    const ours = r.certificates.find((c) => c.thumbprint === sha1);
    assert.ok(ours, "our root is there");
    assert.deepEqual(Buffer.from(ours.der), Buffer.from(fixture("certs", "test-root.der")));
    assert.equal(ours.friendlyName, "koff-doctor test root");
    assert.equal(createHash("sha1").update(ours.der).digest("hex").toUpperCase(), sha1);
  });

  it("throws exec-failed for exit codes other than 0 and 1", async () => {
    const exec = replayExec({ "query HKEY_LOCAL_MACHINE\\X": { stdout: "", stderr: "boom", code: 5 } });
    await assert.rejects(new RegExeRegistry({ exec }).getKey("HKLM\\X"), (e: unknown) => {
      return e instanceof WindowsStateError && e.code === "exec-failed";
    });
  });

  it("prefetches through reg export and the .reg parser", async () => {
    const reg16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(
        'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Kerio]\r\n"Name"="Caf\u00e9 \u4e2d"\r\n\r\n[HKEY_CURRENT_USER\\Software\\Kerio\\Sub]\r\n"N"=dword:00000007\r\n\r\n',
        "utf16le",
      ),
    ]);
    const files = new Map<string, Uint8Array>();
    const exec = (async (_cmd: string, args: string[]) => {
      if (args[0] === "export") {
        files.set(args[2]!, new Uint8Array(reg16));
        return { stdout: "", stderr: "", code: 0 };
      }
      return { stdout: "", stderr: "", code: 1 };
    }) as Exec;
    const removed: string[] = [];
    const reg = new RegExeRegistry({
      exec,
      tempFile: {
        create: async () => "C:\\Temp\\kd-1.reg",
        read: async (p) => files.get(p)!,
        remove: async (p) => void removed.push(p),
      },
    });
    assert.equal(await reg.prefetchExport("HKCU\\Software\\Kerio"), 2);
    const k = await reg.getKey("HKCU\\Software\\Kerio");
    assert.equal(k?.values[0]?.value, "Café 中", "lossless non-ASCII text");
    assert.deepEqual(k?.subkeys, ["Sub"]);
    assert.equal((await reg.getKey("HKCU\\Software\\Kerio\\Sub"))?.values[0]?.value, 7);
    assert.equal(await reg.getKey("HKCU\\Software\\Kerio\\Nope"), undefined);
    assert.deepEqual(removed, ["C:\\Temp\\kd-1.reg"]);
  });
});
