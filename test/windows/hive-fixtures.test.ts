/**
 * The domain readers over REAL regf hives (fixtures/hives/, built with hivexregedit by the
 * registry area) mounted as a Windows image through HiveRegistryPort.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { HiveRegistryPort } from "../../src/adapters/image/hive-registry-port.js";
import {
  readDefenderExclusions,
  readOfficeInstall,
  readOutlookProfiles,
  readUninstallEntries,
} from "../../src/windows/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const hives = path.join(repoRoot, "fixtures", "hives");
const skip = existsSync(path.join(hives, "SOFTWARE.hiv"))
  ? false
  : "fixtures/hives not built (bash fixtures/hives/build.sh)";

describe("Windows-state readers over hive fixtures", { skip }, () => {
  let image = "";
  let port: HiveRegistryPort;
  before(() => {
    image = mkdtempSync(path.join(tmpdir(), "koff-doctor-image-"));
    const put = (src: string, ...dest: string[]): void => {
      mkdirSync(path.join(image, ...dest.slice(0, -1)), { recursive: true });
      copyFileSync(path.join(hives, src), path.join(image, ...dest));
    };
    put("SOFTWARE.hiv", "Windows", "System32", "config", "SOFTWARE");
    put("ntuser-office16.hiv", "Users", "alice", "NTUSER.DAT");
    put("ntuser-office15.hiv", "Users", "bob", "NTUSER.DAT");
    put("ntuser-wms.hiv", "Users", "carol", "NTUSER.DAT");
    port = new HiveRegistryPort(image);
  });
  after(() => {
    if (image !== "") rmSync(image, { recursive: true, force: true });
  });

  it("reads Office 16, Office 15 and WMS profiles with Unicode and ANSI properties", async () => {
    const r = await readOutlookProfiles(port);
    const row = (user: string, office: string, name: string) =>
      r.profiles.find((p) => p.user === user && p.office === office && p.name === name);
    const o16 = row("alice", "16.0", "Outlook");
    assert.ok(o16, `profiles: ${r.profiles.map((p) => `${p.user}/${p.office}/${p.name}`).join(", ")}`);
    assert.equal(o16.isDefault, true);
    assert.equal(o16.serviceTableFound, true);
    const koff16 = o16.services.find((s) => s.isKoff)!;
    assert.deepEqual(
      [
        koff16.serviceName,
        koff16.dllName,
        koff16.dllNameForm,
        koff16.entryName,
        koff16.providers[0]?.resourceType,
      ],
      ["KERIO_KOFF", "kofmsp.dll", "unicode", "ServiceEntry", 33],
    );
    assert.equal(o16.services.find((s) => !s.isKoff)?.dllName, "mspst.dll");
    const kerio = row("alice", "16.0", "Kerio")!;
    assert.equal(kerio.isDefault, false);
    assert.equal(
      kerio.services[0]?.dllName,
      "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\kofmsp.dll",
    );
    assert.equal(kerio.services[0]?.dllNameForm, "ansi");
    const o15 = row("bob", "15.0", "Outlook")!;
    assert.deepEqual(
      [o15.isDefault, o15.services[0]?.dllName, o15.services[0]?.isKoff],
      [true, "KOFMSP.DLL", true],
    );
    const wms = row("carol", "wms", "MS Exchange Settings")!;
    assert.deepEqual(
      [wms.isDefault, wms.services.length, wms.services.filter((s) => s.isKoff).length],
      [true, 2, 1],
    );
    assert.deepEqual(r.defaults.map((d) => [d.user, d.office, d.name, d.profileExists]).sort(), [
      ["alice", "16.0", "Outlook", true],
      ["bob", "15.0", "Outlook", true],
      ["carol", "wms", "MS Exchange Settings", true],
    ]);
  });

  it("reads Office, Defender and Uninstall facts from the SOFTWARE hive", async () => {
    const office = await readOfficeInstall(port);
    assert.deepEqual(
      [
        office.installType,
        office.products,
        office.version,
        office.bitness,
        office.bitnessConflict,
        office.channel?.name,
      ],
      ["click-to-run", ["O365ProPlusRetail"], "16.0.17928.20156", "x86", false, "Current Channel"],
    );
    const defender = await readDefenderExclusions(port);
    assert.deepEqual(
      defender.paths.map((p) => p.value),
      [
        "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)",
        "C:\\Users\\alice\\AppData\\Local\\Kerio\\Outlook Connector",
        "C:\\Users\\alice\\Downloads",
      ],
    );
    const u = await readUninstallEntries(port, { displayNamePattern: /^Kerio Outlook Connector/i });
    assert.equal(u.entries.length, 1);
    assert.deepEqual(
      [
        u.entries[0]?.view,
        u.entries[0]?.displayVersion,
        u.entries[0]?.publisher,
        u.entries[0]?.windowsInstaller,
      ],
      ["32-bit", "10.0.8", "Kerio Technologies", true],
    );
  });
});
