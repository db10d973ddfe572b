import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { locateMapiSvcInf } from "../../src/windows/index.js";
import { FakeFileSystem } from "./helpers/fake-file-system.js";
import { FakeRegistry } from "./helpers/fake-registry.js";

const C2R64 =
  "C:\\Program Files\\Microsoft Office\\root\\VFS\\ProgramFilesCommonX64\\System\\MSMAPI\\1033\\MAPISVC.INF";
const C2R86 =
  "C:\\Program Files (x86)\\Microsoft Office\\root\\VFS\\ProgramFilesCommonX86\\System\\MSMAPI\\1031\\MAPISVC.INF";
const MSI = "C:\\Program Files (x86)\\Common Files\\System\\MSMAPI\\1033\\mapisvc.inf";
const SYS = "C:\\Windows\\System32\\MAPISVC.INF";
const KOFF_DIR = "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)";

const koffInf = (dll: string, providers = "KOFF_MS, KOFF_XP, KOFF_GONE"): string =>
  [
    "[Services]",
    "MSPST MS=Personal Folders File",
    "KOFF=Kerio Connect (KOFF)",
    "MISSINGSVC=Listed without a section",
    "[MSPST MS]",
    "PR_SERVICE_DLL_NAME=mspst.dll",
    "Providers=MSPST MSP",
    "[MSPST MSP]",
    "PR_PROVIDER_DLL_NAME=mspst.dll",
    "[KOFF]",
    `PR_SERVICE_DLL_NAME=${dll}`,
    "PR_SERVICE_ENTRY_NAME=ServiceEntry",
    `Providers=${providers}`,
    "[KOFF_MS]",
    "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER",
    `PR_PROVIDER_DLL_NAME=${dll}`,
    "[KOFF_XP]",
    "PR_RESOURCE_TYPE=MAPI_TRANSPORT_PROVIDER",
    `PR_PROVIDER_DLL_NAME=${dll}`,
    "",
  ].join("\r\n");

describe("locateMapiSvcInf", () => {
  it("finds C2R, MSI and system copies and resolves full-path and bare KOFF registrations", async () => {
    const fs = new FakeFileSystem({
      [C2R64]: "[Services]\r\nMSPST MS=Personal Folders\r\n",
      [C2R86]: koffInf(`${KOFF_DIR}\\kofmsp.dll`),
      [MSI]: koffInf("KOFMSP.DLL"),
      [SYS]: koffInf("C:\\Users\\john.doe\\kofmsp.dll"),
      [`${KOFF_DIR}\\kofmsp32.dll`]: "MZ",
      "C:\\Program Files (x86)\\Microsoft Office\\root\\Office16\\mspst32.dll": "MZ",
      "C:\\Windows\\SysWOW64\\KOFMSP.DLL": "MZ",
    });
    const r = await locateMapiSvcInf(fs);
    assert.deepEqual(
      r.files.map((f) => [f.path, f.origin, f.bitness]),
      [
        [C2R64, "c2r-common-x64", "x64"],
        [C2R86, "c2r-common-x86", "x86"],
        [MSI, "msi-common-files", "x86"],
        [SYS, "system32", undefined],
      ],
    );
    assert.ok(r.probed.includes("C:\\Windows\\SysWOW64\\MAPISVC.INF"));

    const c2r = r.files[1]!;
    assert.deepEqual(c2r.missingServiceSections, ["MISSINGSVC"]);
    const koff = c2r.services.find((s) => s.section === "KOFF")!;
    assert.equal(koff.isKoff, true);
    assert.equal(koff.entryName, "ServiceEntry");
    assert.equal(koff.dll?.resolved, `${KOFF_DIR}\\kofmsp32.dll`, "full path + 32 rule resolves");
    assert.deepEqual(koff.missingProviderSections, ["KOFF_GONE"]);
    assert.deepEqual(
      koff.providers.map((p) => [p.section, p.resourceType, p.isKoff]),
      [
        ["KOFF_MS", "MAPI_STORE_PROVIDER", true],
        ["KOFF_XP", "MAPI_TRANSPORT_PROVIDER", true],
      ],
    );
    const pst = c2r.services.find((s) => s.section === "MSPST MS")!;
    assert.equal(pst.isKoff, false);
    assert.equal(pst.dll?.resolved, "C:\\Program Files (x86)\\Microsoft Office\\root\\Office16\\mspst32.dll");

    // MSI copy: bare name, kofmsp32.dll nowhere in the default dirs, but KOFMSP.DLL is in SysWOW64.
    const bare = r.files[2]!.services.find((s) => s.isKoff)!;
    assert.equal(bare.dll?.load.loadName, "KOFMSP32.DLL");
    assert.equal(bare.dll?.resolved, undefined);
    assert.equal(bare.dll?.registeredNameOnDisk, "C:\\Windows\\SysWOW64\\KOFMSP.DLL");
    assert.ok(bare.dll?.probed.includes("C:\\Windows\\SysWOW64\\KOFMSP32.DLL"));
    assert.ok(
      !bare.dll?.probed.some((p) => p.startsWith("C:\\Windows\\System32")),
      "x86 INF searches SysWOW64 only",
    );

    // System32 copy: a period in a directory name makes the load path unresolvable.
    const dotted = r.files[3]!.services.find((s) => s.isKoff)!;
    assert.deepEqual(dotted.dll?.load.issues, ["period-in-directory"]);
    assert.equal(dotted.dll?.resolved, undefined);

    assert.deepEqual(
      r.koffRegistrations.map((k) => k.path),
      [C2R86, MSI, SYS],
    );
  });

  it("probes the folder of the registered MAPI DLL and reports unreadable files", async () => {
    const odd = "D:\\Office\\root\\Office16\\MAPISVC.INF";
    const fs = new FakeFileSystem({
      [odd]: new Uint8Array([0xff, 0xfe, 0x00, 0xdc]),
    });
    const registry = new FakeRegistry({
      "HKLM\\SOFTWARE\\Clients\\Mail\\Microsoft Outlook": {
        DLLPathEx: "D:\\Office\\root\\Office16\\olmapi32.dll",
      },
    });
    const r = await locateMapiSvcInf(fs, { registry });
    assert.equal(r.files.length, 1);
    assert.equal(r.files[0]?.origin, "registered-mapi-dll");
    assert.equal(r.files[0]?.error?.code, "bad-encoding");
    assert.deepEqual(r.koffRegistrations, []);
  });

  it("finds nothing on an empty volume but says where it looked", async () => {
    const r = await locateMapiSvcInf(new FakeFileSystem({ "C:\\Windows\\notepad.exe": "MZ" }));
    assert.equal(r.files.length, 0);
    assert.ok(r.probed.length >= 6);
  });

  it("takes Program Files and the C2R install folder from the registry (Office on another drive)", async () => {
    const onD = "D:\\Apps\\Office\\root\\VFS\\ProgramFilesCommonX64\\System\\MSMAPI\\1033\\MAPISVC.INF";
    const pfE = "E:\\PF86\\Common Files\\System\\MSMAPI\\1033\\MAPISVC.INF";
    const fs = new FakeFileSystem({
      [onD]: koffInf("kofmsp.dll"),
      [pfE]: "[Services]\r\n",
      "W:\\WINNT\\System32\\MAPISVC.INF": "[Services]\r\n",
    });
    const registry = new FakeRegistry({
      "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion": {
        ProgramFilesDir: "E:\\PF",
        "ProgramFilesDir (x86)": "E:\\PF86",
      },
      "HKLM\\SOFTWARE\\Microsoft\\Office\\ClickToRun": { InstallPath: "D:\\Apps\\Office" },
      "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion": { SystemRoot: "W:\\WINNT" },
    });
    const r = await locateMapiSvcInf(fs, { registry });
    assert.deepEqual(
      r.files.map((f) => [f.path, f.origin, f.bitness]),
      [
        [pfE, "msi-common-files", "x86"],
        ["W:\\WINNT\\System32\\MAPISVC.INF", "system32", undefined],
        [onD, "c2r-common-x64", "x64"],
      ],
    );
    assert.equal(r.koffRegistrations.length, 1);
  });
});
