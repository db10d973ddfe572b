import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { channelFromUrl, readOfficeInstall } from "../../src/windows/index.js";
import { FakeRegistry } from "./helpers/fake-registry.js";

const CFG = "HKLM\\SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration";
const CURRENT = "http://officecdn.microsoft.com/pr/492350f6-3a01-4f97-b9c0-c7c6ddf67d60";
const MEC = "http://officecdn.microsoft.com/pr/55336b82-a18d-4dd6-b5f6-9e5095c314a6";

describe("readOfficeInstall", () => {
  it("reads a Click-to-Run install: products, version, platform, CDN channel", async () => {
    const r = await readOfficeInstall(
      new FakeRegistry({
        [CFG]: {
          Platform: "x86",
          VersionToReport: "16.0.17928.20156",
          ProductReleaseIds: "O365ProPlusRetail,VisioProRetail",
          CDNBaseUrl: CURRENT,
        },
        "HKLM\\SOFTWARE\\Microsoft\\Office\\ClickToRun\\REGISTRY\\MACHINE\\Software\\Microsoft\\Office\\16.0\\Outlook":
          {
            Bitness: "x86",
          },
      }),
    );
    assert.equal(r.installType, "click-to-run");
    assert.deepEqual(r.products, ["O365ProPlusRetail", "VisioProRetail"]);
    assert.equal(r.version, "16.0.17928.20156");
    assert.equal(r.bitness, "x86");
    assert.equal(r.bitnessConflict, false);
    assert.equal(r.bitnessSources.length, 2);
    assert.equal(r.channel?.name, "Current Channel");
    assert.equal(r.channel?.source.value, "CDNBaseUrl");
  });

  it("applies channel precedence: policy branch beats ODT URL beats CDNBaseUrl; cloud path beats all", async () => {
    const base = {
      [CFG]: { Platform: "x64", ClientVersionToReport: "16.0.1.2", UpdateUrl: MEC, CDNBaseUrl: CURRENT },
      "HKLM\\SOFTWARE\\Policies\\Microsoft\\office\\16.0\\Common\\officeupdate": { UpdateBranch: "Deferred" },
    };
    const r1 = await readOfficeInstall(new FakeRegistry(base));
    assert.equal(r1.version, "16.0.1.2", "ClientVersionToReport when VersionToReport is absent");
    assert.equal(r1.channel?.name, "Semi-Annual Enterprise Channel");
    assert.deepEqual(
      r1.channel?.candidates.map((c) => c.value),
      ["UpdateBranch", "UpdateUrl", "CDNBaseUrl"],
    );
    const r2 = await readOfficeInstall(
      new FakeRegistry({
        ...base,
        "HKLM\\SOFTWARE\\Policies\\Microsoft\\cloud\\office\\16.0\\Common\\officeupdate": {
          UpdatePath: "\\\\srv\\office",
        },
      }),
    );
    assert.equal(r2.channel?.source.value, "UpdatePath");
    assert.equal(r2.channel?.name, undefined, "a file share names no channel");
    const r3 = await readOfficeInstall(new FakeRegistry({ [CFG]: { UpdateUrl: MEC, CDNBaseUrl: CURRENT } }));
    assert.equal(r3.channel?.name, "Monthly Enterprise Channel");
  });

  it("detects an MSI install and reports conflicting bitness sources", async () => {
    const r = await readOfficeInstall(
      new FakeRegistry({
        "HKLM\\SOFTWARE\\Microsoft\\Office\\15.0\\Outlook": { Bitness: "x64" },
        "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Office\\15.0\\Outlook": { Bitness: "x86" },
      }),
    );
    assert.equal(r.installType, "msi");
    assert.equal(r.version, "15.0");
    assert.equal(r.bitness, "x64", "the native view's value first");
    assert.equal(r.bitnessConflict, true);
    assert.equal(r.channel, undefined);
  });

  it("reports nothing installed on an empty registry", async () => {
    const r = await readOfficeInstall(new FakeRegistry({ "HKLM\\SOFTWARE": {} }));
    assert.deepEqual(
      [r.installType, r.bitness, r.version, r.products.length],
      ["none", undefined, undefined, 0],
    );
  });

  it("maps CDN GUIDs case-insensitively and ignores unknown ones", () => {
    assert.equal(channelFromUrl(CURRENT.toUpperCase() + "/"), "Current Channel");
    assert.equal(channelFromUrl("http://x/00000000-0000-0000-0000-000000000000"), undefined);
  });
});
