import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readDefenderExclusions, readUninstallEntries } from "../../src/windows/index.js";
import { FakeRegistry } from "./helpers/fake-registry.js";

describe("readDefenderExclusions", () => {
  it("returns local and policy exclusions with their source and kind", async () => {
    const r = await readDefenderExclusions(
      new FakeRegistry({
        "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths": {
          "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)": 0,
          "C:\\Users\\alice\\AppData\\Roaming": 0,
        },
        "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Extensions": { ".dll": 0 },
        "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Exclusions\\Paths": {
          "%LOCALAPPDATA%\\Kerio\\Outlook Connector": "0",
        },
        "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender": { HideExclusionsFromLocalAdmins: 1 },
      }),
    );
    assert.deepEqual(
      r.paths.map((p) => [p.source, p.value]),
      [
        ["local", "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)"],
        ["local", "C:\\Users\\alice\\AppData\\Roaming"],
        ["policy", "%LOCALAPPDATA%\\Kerio\\Outlook Connector"],
      ],
    );
    assert.deepEqual(
      r.exclusions.filter((e) => e.kind === "extension").map((e) => e.value),
      [".dll"],
    );
    assert.equal(r.hiddenFromLocalAdmins, true);
    assert.equal(r.paths[2]?.key, "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Exclusions\\Paths");
  });

  it("returns an empty list when Defender keys are absent", async () => {
    const r = await readDefenderExclusions(new FakeRegistry({ "HKLM\\SOFTWARE": {} }));
    assert.deepEqual([r.exclusions.length, r.hiddenFromLocalAdmins, r.evidence.length], [0, false, 0]);
  });
});

describe("readUninstallEntries", () => {
  it("matches by DisplayName across the 64-bit, 32-bit and per-user views", async () => {
    const u = "Microsoft\\Windows\\CurrentVersion\\Uninstall";
    const r = await readUninstallEntries(
      new FakeRegistry({
        [`HKLM\\SOFTWARE\\WOW6432Node\\${u}\\{ABCDEF01-0000-0000-0000-000000000001}`]: {
          DisplayName: "Kerio Outlook Connector (Offline Edition)",
          DisplayVersion: "10.0.8104",
          InstallLocation: "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\",
          Publisher: "GFI Software",
          UninstallString: "MsiExec.exe /X{ABCDEF01-0000-0000-0000-000000000001}",
          WindowsInstaller: 1,
        },
        [`HKLM\\SOFTWARE\\WOW6432Node\\${u}\\KerioUpdater`]: { DisplayName: "Kerio Updater Service" },
        [`HKLM\\SOFTWARE\\${u}\\Notepad++`]: { DisplayName: "Notepad++" },
        [`HKLM\\SOFTWARE\\${u}\\NoName`]: { Publisher: "x" },
        [`HKU\\alice\\Software\\${u}\\koff-user`]: { DisplayName: "kerio outlook connector (per user)" },
      }),
      { displayNamePattern: /kerio outlook connector/gi },
    );
    assert.deepEqual(
      r.entries.map((e) => [e.view, e.user, e.id]),
      [
        ["32-bit", undefined, "{ABCDEF01-0000-0000-0000-000000000001}"],
        ["user", "alice", "koff-user"],
      ],
    );
    const e = r.entries[0]!;
    assert.deepEqual(
      [e.displayVersion, e.publisher, e.windowsInstaller, e.installLocation],
      [
        "10.0.8104",
        "GFI Software",
        true,
        "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\",
      ],
    );
    assert.ok(e.uninstallString?.startsWith("MsiExec.exe /X"));
  });
});
