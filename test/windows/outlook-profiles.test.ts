import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readOutlookProfiles, SERVICE_TABLE_SECTION } from "../../src/windows/index.js";
import { FakeRegistry, ansiz, uidList, utf16z, type FakeSpec } from "./helpers/fake-registry.js";

const SVC_KOFF = "11111111111111111111111111111111";
const PRV_KOFF_STORE = "22222222222222222222222222222222";
const PRV_KOFF_XP = "33333333333333333333333333333333";
const SVC_PST = "44444444444444444444444444444444";
const PRV_PST = "55555555555555555555555555555555";
const MISSING = "99999999999999999999999999999999";

const o16 = "HKU\\alice\\Software\\Microsoft\\Office\\16.0\\Outlook";
const o15 = "HKU\\alice\\Software\\Microsoft\\Office\\15.0\\Outlook";
const wms =
  "HKU\\bob\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles";

function spec(): FakeSpec {
  const p = `${o16}\\Profiles\\Kerio`;
  const q = `${o15}\\Profiles\\Legacy`;
  return {
    [o16]: { DefaultProfile: "kerio" },
    // Office 16, Unicode properties, anchor lists both services plus one dangling UID.
    [`${p}\\${SERVICE_TABLE_SECTION}`]: { "01023d0e": uidList(SVC_KOFF, SVC_PST, MISSING) },
    [`${p}\\${SVC_KOFF}`]: {
      "001f3d09": utf16z("KOFF"),
      "001f3d0a": utf16z("KOFMSP.DLL"),
      "001f3d0b": utf16z("ServiceEntry"),
      "001f3001": utf16z("Kerio Connect (KOFF)"),
      "01023d00": uidList(PRV_KOFF_STORE),
      "01023d02": uidList(PRV_KOFF_XP),
    },
    [`${p}\\${PRV_KOFF_STORE}`]: {
      "001f300a": utf16z("kofmsp.dll"),
      "00033e03": new Uint8Array([33, 0, 0, 0]),
      "01023d0c": uidList(SVC_KOFF),
    },
    [`${p}\\${PRV_KOFF_XP}`]: {
      "001f300a": utf16z("kofmsp.dll"),
      "00033e03": new Uint8Array([36, 0, 0, 0]),
      "01023d0c": uidList(SVC_KOFF),
    },
    [`${p}\\${SVC_PST}`]: {
      "001e3d09": ansiz("MSUPST MS"),
      "001e3d0a": ansiz("mspst.dll"),
      "001e3d0b": ansiz("PSTServiceEntry"),
      "01023d00": uidList(PRV_PST),
    },
    [`${p}\\${PRV_PST}`]: { "001e300a": ansiz("mspst.dll"), "00033e03": new Uint8Array([33, 0, 0, 0]) },
    // Office 15, ANSI properties (no terminator on one value), NO anchor: found by scanning.
    [`${q}\\${SVC_KOFF}`]: {
      "001e3d09": ansiz("KOFF"),
      "001e3d0a": new Uint8Array(
        Buffer.from(
          "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\kofmsp.dll",
          "latin1",
        ),
      ),
      "001e3d0b": ansiz("ServiceEntry"),
    },
    [`${q}\\${PRV_KOFF_STORE}`]: { "001e300a": ansiz("kofmsp.dll"), "01023d0c": uidList(SVC_KOFF) },
    [`${q}\\${PRV_PST}`]: { "001e300a": ansiz("orphan.dll") },
    // Windows Messaging Subsystem, default stored on the Profiles key; default points nowhere.
    [wms]: { DefaultProfile: "Gone" },
    [`${wms}\\Old\\${SVC_PST}`]: { "001e3d09": ansiz("MSPST MS"), "001e3d0a": ansiz("MSPST.DLL") },
  };
}

const users = [
  { user: "alice", root: "HKU\\alice" },
  { user: "bob", root: "HKU\\bob" },
];

describe("readOutlookProfiles", () => {
  it("reads an Office 16 profile with Unicode properties and marks KOFF and the default", async () => {
    const r = await readOutlookProfiles(new FakeRegistry(spec(), users));
    const p = r.profiles.find((x) => x.office === "16.0");
    assert.ok(p);
    assert.equal(p.name, "Kerio");
    assert.equal(p.user, "alice");
    assert.equal(p.isDefault, true, "DefaultProfile comparison is case-insensitive");
    assert.equal(p.serviceTableFound, true);
    assert.deepEqual(p.danglingServiceUids, [MISSING]);
    const koff = p.services.find((s) => s.uid === SVC_KOFF);
    assert.ok(koff);
    assert.deepEqual(
      [koff.serviceName, koff.dllName, koff.entryName, koff.displayName, koff.dllNameForm, koff.isKoff],
      ["KOFF", "KOFMSP.DLL", "ServiceEntry", "Kerio Connect (KOFF)", "unicode", true],
    );
    assert.deepEqual(koff.providers.map((x) => [x.uid, x.resourceType, x.isKoff]).sort(), [
      [PRV_KOFF_STORE, 33, true],
      [PRV_KOFF_XP, 36, true],
    ]);
    const pst = p.services.find((s) => s.uid === SVC_PST);
    assert.equal(pst?.isKoff, false);
    assert.equal(pst?.dllNameForm, "ansi");
    assert.equal(pst?.providers[0]?.dllName, "mspst.dll");
    assert.ok(r.evidence.includes(`${o16}\\Profiles`));
  });

  it("falls back to scanning sections when the anchor is missing (Office 15, ANSI, unterminated)", async () => {
    const r = await readOutlookProfiles(new FakeRegistry(spec(), users));
    const p = r.profiles.find((x) => x.office === "15.0");
    assert.ok(p);
    assert.equal(p.serviceTableFound, false);
    assert.equal(p.isDefault, false);
    assert.equal(p.services.length, 1);
    const s = p.services[0]!;
    assert.equal(s.listedInServiceTable, false);
    assert.equal(
      s.dllName,
      "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\kofmsp.dll",
    );
    assert.equal(s.isKoff, true);
    assert.deepEqual(
      s.providers.map((x) => x.uid),
      [PRV_KOFF_STORE],
      "provider attached via PR_SERVICE_UID",
    );
    assert.deepEqual(
      p.orphanProviders.map((x) => x.dllName),
      ["orphan.dll"],
    );
    const d15 = r.defaults.find((d) => d.office === "15.0");
    assert.equal(d15?.name, undefined);
  });

  it("reads the Windows Messaging Subsystem layout and its DefaultProfile on the Profiles key", async () => {
    const r = await readOutlookProfiles(new FakeRegistry(spec(), users));
    const p = r.profiles.find((x) => x.office === "wms");
    assert.ok(p);
    assert.equal(p.user, "bob");
    assert.equal(p.services[0]?.dllName, "MSPST.DLL");
    assert.equal(p.services[0]?.isKoff, false);
    const d = r.defaults.find((x) => x.office === "wms");
    assert.deepEqual([d?.user, d?.name, d?.profileExists, d?.key], ["bob", "Gone", false, wms]);
    const d16 = r.defaults.find((x) => x.office === "16.0");
    assert.deepEqual([d16?.name, d16?.profileExists], ["kerio", true]);
  });

  it("prefers 001f over 001e and decodes Windows-1252 bytes above 0x7F", async () => {
    const key = `${o16}\\Profiles\\P\\${SVC_PST}`;
    const r = await readOutlookProfiles(
      new FakeRegistry({
        [key]: {
          "001e3d0a": new Uint8Array([0x80, 0x41, 0]),
          "001e3d09": new Uint8Array([0x80, 0xe9, 0, 0x41]),
          "001f3d0a": utf16z("wide.dll"),
        },
      }),
    );
    const s = r.profiles[0]?.services[0];
    assert.equal(s?.dllName, "wide.dll");
    assert.equal(s?.serviceName, "€é", "0x80 is the euro sign in Windows-1252; stops at NUL");
  });

  it("honours a caller's pattern, even a global one", async () => {
    const r = await readOutlookProfiles(new FakeRegistry(spec(), users), { koffDllPattern: /mspst/gi });
    const flagged = r.profiles.flatMap((p) =>
      p.services.filter((s) => s.isKoff).map((s) => `${p.office}:${s.dllName}`),
    );
    assert.deepEqual(flagged.sort(), ["16.0:mspst.dll", "wms:MSPST.DLL"]);
  });

  it("returns nothing for a user without profiles", async () => {
    const r = await readOutlookProfiles(new FakeRegistry({ "HKU\\alice\\Software": {} }));
    assert.deepEqual([r.profiles.length, r.defaults.length], [0, 0]);
  });

  it("caps a pathological profile (5000 sections) and marks it truncated", async () => {
    const spec: FakeSpec = {};
    const base = `${o16}\\Profiles\\Huge`;
    const svc = "a".repeat(32);
    for (let i = 0; i < 5000; i++) {
      const uid = i.toString(16).padStart(32, "0");
      spec[`${base}\\${uid}`] = { "001e300a": ansiz(`p${i}.dll`), "01023d0c": uidList(svc) };
    }
    spec[`${base}\\${svc}`] = { "001e3d0a": ansiz("kofmsp.dll"), "01023d00": uidList("0".repeat(31) + "1") };
    spec[`${base}\\${SERVICE_TABLE_SECTION}`] = { "01023d0e": uidList(svc) };
    const r = await readOutlookProfiles(new FakeRegistry(spec));
    const p = r.profiles[0]!;
    assert.equal(p.truncated, true);
    // The service listed in the anchor is read even though it sorts past the cap, and every
    // provider section read names it in PR_SERVICE_UID.
    assert.equal(p.services.length, 1);
    assert.equal(p.services[0]?.isKoff, true);
    assert.ok(p.services[0]!.providers.length >= 4000);
    assert.equal(p.orphanProviders.length, 0);
  });
});
