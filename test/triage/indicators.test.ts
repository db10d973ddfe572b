import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadKnowledge } from "../../src/knowledge/index.js";
import type { PeImage } from "../../src/pe/types.js";
import { certificateTableIndicator } from "../../src/triage/indicators/certificate-table.js";
import { cpuNetworkIndicator } from "../../src/triage/indicators/cpu-network.js";
import { executableBehaviorIndicator } from "../../src/triage/indicators/executable-behavior.js";
import { fileSizeIndicator } from "../../src/triage/indicators/file-size.js";
import { identityIndicator } from "../../src/triage/indicators/identity.js";
import { locationIndicator } from "../../src/triage/indicators/location.js";
import { processIndicator } from "../../src/triage/indicators/process.js";
import { providerExportsIndicator } from "../../src/triage/indicators/provider-exports.js";
import { signatureIndicator } from "../../src/triage/indicators/signature.js";
import type { SignatureState } from "../../src/triage/signature-summary.js";
import type { TriageSubject } from "../../src/triage/subject.js";
import { verdictOf, type Indicator } from "../../src/triage/types.js";
import { fakePe } from "../helpers/fake-pe.js";

const knowledge = loadKnowledge();
const GENUINE_VERSION = {
  strings: {
    CompanyName: "Kerio Technologies s.r.o.",
    OriginalFilename: "kofmsp.dll",
    ProductName: "Kerio Outlook Connector",
  },
  translations: ["040904b0"],
};

function subject(over: Partial<TriageSubject> = {}): TriageSubject {
  return {
    fileName: "kofmsp32.dll",
    windowsPath: "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\kofmsp32.dll",
    windowsPathOrigin: "native",
    size: 400_000,
    pe: fakePe({
      versionInfo: GENUINE_VERSION,
      exports: {
        ordinalBase: 1,
        functions: [
          { ordinal: 1, name: "MSProviderInit", rva: 0x1000 },
          { ordinal: 2, name: "XPProviderInit", rva: 0x1010 },
        ],
      },
    }),
    signature: { state: "valid", signer: "CN=Kerio Technologies s.r.o.", signatureCount: 1, anomalies: [] },
    knowledge,
    loadPositions: [],
    ...over,
  };
}

describe("signature indicator", () => {
  const cases: Array<[SignatureState, Indicator["level"]]> = [
    ["valid", "ok"],
    ["unsigned", "suspicious"],
    ["self-signed", "suspicious"],
    ["untrusted-root", "suspicious"],
    ["expired", "malicious"],
    ["not-yet-valid", "malicious"],
    ["invalid", "malicious"],
    ["malformed", "malicious"],
  ];
  for (const [state, level] of cases) {
    it(`${state} → ${level}`, () => {
      const i = signatureIndicator(subject({ signature: { state, signatureCount: 1, anomalies: [] } }));
      assert.equal(i.level, level);
      assert.equal(i.cell === null, level === "ok");
      if (level !== "ok")
        assert.match(
          i.cell!,
          new RegExp(`^Signature × ${level === "malicious" ? "Malicious" : "Suspicious"}`),
        );
    });
  }
});

describe("location indicator", () => {
  it("is ok in the connector's install folder, whatever the case", () => {
    const i = locationIndicator(
      subject({
        windowsPath: "c:\\PROGRAM FILES (X86)\\kerio\\outlook connector (offline edition)\\kofmsp32.dll",
      }),
    );
    assert.equal(i.level, "ok");
  });
  it("is suspicious in Roaming, quoting the seed cell", () => {
    const i = locationIndicator(subject({ windowsPath: "C:\\Users\\bob\\AppData\\Roaming\\kofmsp.dll" }));
    assert.equal(i.level, "suspicious");
    assert.equal(i.cell, "Location × Suspicious: %TEMP%, Downloads, or Roaming");
  });
  it("is suspicious in another folder, with our reading", () => {
    const i = locationIndicator(subject({ windowsPath: "C:\\Tools\\kofmsp.dll" }));
    assert.equal(i.level, "suspicious");
    assert.match(i.cell!, /read as: outside the vendor's install folders/);
  });
  it("is malicious outside vendor folders when in a load position", () => {
    const i = locationIndicator(
      subject({
        windowsPath: "C:\\Users\\bob\\AppData\\Local\\Temp\\kofmsp.dll",
        loadPositions: [{ kind: "mapisvc-inf", where: "C:\\Windows\\System32\\MAPISVC.INF [KOFF]" }],
      }),
    );
    assert.equal(i.level, "malicious");
    assert.match(i.evidence, /MAPISVC\.INF/);
  });
  it("a load position inside the install folder is fine", () => {
    const i = locationIndicator(
      subject({ loadPositions: [{ kind: "loaded-by-process", where: "OUTLOOK.EXE" }] }),
    );
    assert.equal(i.level, "ok");
  });
  it("is unknown without a Windows path", () => {
    assert.equal(locationIndicator(subject({ windowsPath: undefined })).level, "unknown");
  });
});

describe("file-size indicator", () => {
  it("uses KiB/MiB boundaries", () => {
    assert.equal(fileSizeIndicator(subject({ size: 100 * 1024 - 1 })).level, "suspicious");
    assert.equal(fileSizeIndicator(subject({ size: 100 * 1024 })).level, "ok");
    assert.equal(fileSizeIndicator(subject({ size: 5 * 1024 * 1024 })).level, "ok");
    assert.equal(fileSizeIndicator(subject({ size: 5 * 1024 * 1024 + 1 })).level, "suspicious");
  });
});

describe("executable-behavior indicator", () => {
  const withImports = (...names: string[]) =>
    subject({
      pe: fakePe({
        imports: [{ dll: "KERNEL32.dll", delayLoad: false, functions: names.map((name) => ({ name })) }],
      }),
    });
  it("flags injection only when both halves are imported", () => {
    assert.equal(executableBehaviorIndicator(withImports("WriteProcessMemory")).level, "ok");
    assert.equal(executableBehaviorIndicator(withImports("CreateRemoteThread")).level, "ok");
    const both = executableBehaviorIndicator(withImports("WriteProcessMemory", "CreateRemoteThread"));
    assert.equal(both.level, "malicious");
    assert.deepEqual(both.details?.["rules"], {
      "process-injection": ["WriteProcessMemory", "CreateRemoteThread"],
    });
  });
  it("flags WinExec and URLDownloadToFile, not CreateProcess", () => {
    assert.equal(executableBehaviorIndicator(withImports("WinExec")).level, "malicious");
    assert.equal(executableBehaviorIndicator(withImports("URLDownloadToFileW")).level, "malicious");
    assert.equal(executableBehaviorIndicator(withImports("CreateProcessW", "ShellExecuteW")).level, "ok");
  });
  it("flags an EXE named .dll but not an EXE named .exe", () => {
    assert.equal(executableBehaviorIndicator(subject({ pe: fakePe({ isDll: false }) })).level, "malicious");
    assert.equal(
      executableBehaviorIndicator(subject({ fileName: "tool.exe", pe: fakePe({ isDll: false }) })).level,
      "ok",
    );
  });
});

describe("provider-exports indicator", () => {
  /** The indicator of a file (named like the provider unless `fileName` says) exporting `functions`. */
  const exporting = (functions: NonNullable<PeImage["exports"]>["functions"], fileName?: string) =>
    providerExportsIndicator(
      subject({
        ...(fileName === undefined ? {} : { fileName }),
        pe: fakePe({ exports: { ordinalBase: 1, functions } }),
      }),
    );
  it("flags a provider-named DLL without MSProviderInit/XPProviderInit", () => {
    const i = exporting([{ ordinal: 1, name: "Start", rva: 1 }]);
    assert.equal(i.level, "suspicious");
    assert.deepEqual(i.details?.["missing"], ["MSProviderInit", "XPProviderInit"]);
  });
  it("flags forwarded entry points whatever the file's name, naming the target", () => {
    const i = exporting(
      [
        { ordinal: 1, name: "MSProviderInit", forwarder: "kofmsp_orig.#1" },
        { ordinal: 2, name: "XPProviderInit", rva: 0x1010 },
      ],
      "helper.dll",
    );
    assert.equal(i.level, "suspicious");
    assert.deepEqual(i.details?.["forwarders"], [{ name: "MSProviderInit", target: "kofmsp_orig.#1" }]);
    assert.match(
      i.evidence,
      /MSProviderInit → kofmsp_orig\.#1\); XPProviderInit implemented in the file itself$/,
    );
  });
  it("reads a name exported twice as forwarded when either entry forwards, and lists each exported name once", () => {
    const twice = (last: { rva: number } | { forwarder: string }) =>
      exporting(
        [
          { ordinal: 1, name: "MSProviderInit", forwarder: "evil.#1" },
          { ordinal: 2, name: "MSProviderInit", ...last },
        ],
        "helper.dll",
      );
    // The loader's binary search over the name table may land on either entry: the forwarder hides nothing.
    assert.equal(twice({ rva: 0x1000 }).level, "suspicious");
    assert.deepEqual(twice({ rva: 0x1000 }).details?.["forwarders"], [
      { name: "MSProviderInit", target: "evil.#1" },
    ]);
    const lacking = exporting([
      { ordinal: 1, name: "Helper", rva: 0x1000 },
      { ordinal: 2, name: "Helper", rva: 0x1010 },
      { ordinal: 3, rva: 0x1020 },
    ]);
    assert.equal(lacking.level, "suspicious");
    assert.deepEqual(lacking.details?.["exports"], ["Helper"]);
  });
  it("ignores files that do not claim to be the provider", () => {
    assert.equal(providerExportsIndicator(subject({ fileName: "helper.dll", pe: fakePe() })).level, "ok");
  });
  it("catches a renamed provider by its version resource", () => {
    const i = providerExportsIndicator(
      subject({ fileName: "update.dll", pe: fakePe({ versionInfo: GENUINE_VERSION }) }),
    );
    assert.equal(i.level, "suspicious");
  });
});

describe("identity indicator", () => {
  it("accepts the genuine identity, including the MAPI '32' name", () => {
    assert.equal(identityIndicator(subject()).level, "ok");
  });
  it("flags a mismatching OriginalFilename and vendor", () => {
    const pe = fakePe({
      versionInfo: {
        strings: { CompanyName: "Microsoft Corporation", OriginalFilename: "svchost.exe" },
        translations: [],
      },
    });
    const i = identityIndicator(subject({ pe }));
    assert.equal(i.level, "suspicious");
    assert.match(i.evidence, /svchost\.exe/);
    assert.match(i.evidence, /Microsoft Corporation/);
  });
  it("flags a Kofax attribution and a foreign signer", () => {
    const pe = fakePe({ versionInfo: { strings: { CompanyName: "Kofax, Inc." }, translations: [] } });
    assert.match(identityIndicator(subject({ pe })).evidence, /false attribution/);
    const foreign = identityIndicator(
      subject({ signature: { state: "valid", signer: "CN=Evil Ltd", signatureCount: 1, anomalies: [] } }),
    );
    assert.equal(foreign.level, "suspicious");
  });
  it("flags a provider-named file with no version resource", () => {
    assert.match(identityIndicator(subject({ pe: fakePe() })).evidence, /no version resource/);
  });
});

describe("process indicator", () => {
  it("is unknown when the mode cannot see processes", () => {
    assert.equal(processIndicator(subject()).level, "unknown");
  });
  it("grades hosts: expected ok, unknown suspicious, script runner malicious", () => {
    const p = (image: string) => processIndicator(subject({ loadingProcesses: [{ image, pid: 7 }] })).level;
    assert.equal(p("OUTLOOK.EXE"), "ok");
    assert.equal(p("koffbackend.exe"), "ok");
    assert.equal(p("svchost.exe"), "suspicious");
    assert.equal(p("powershell.exe"), "malicious");
  });
});

describe("certificate-table indicator", () => {
  it("raises any anomaly to suspicious", () => {
    const anomalies = [
      { code: "data-after-der", message: "24 bytes after the DER in entry 0", offset: 0x4400 },
    ];
    const i = certificateTableIndicator(
      subject({ signature: { state: "valid", signatureCount: 1, anomalies } }),
    );
    assert.equal(i.level, "suspicious");
    assert.equal(certificateTableIndicator(subject()).level, "ok");
  });
});

describe("verdict rule", () => {
  const ind = (level: Indicator["level"]): Indicator => ({
    id: "signature",
    source: "seed",
    row: "Signature",
    level,
    evidence: "",
    cell: null,
  });
  it("malicious beats suspicious beats clean; unknown never raises", () => {
    assert.equal(verdictOf([ind("ok"), ind("unknown")]), "clean");
    assert.equal(verdictOf([ind("ok"), ind("suspicious"), ind("unknown")]), "suspicious");
    assert.equal(verdictOf([ind("suspicious"), ind("malicious")]), "malicious");
  });
});

describe("cpu-network indicator", () => {
  const loaded = (image: string, connections: string[]) => ({ image, pid: 9, connections });
  it("does not judge Outlook's own connections", () => {
    const i = cpuNetworkIndicator(
      subject({ loadingProcesses: [loaded("OUTLOOK.EXE", ["52.96.1.1:443"])], kerioServers: ["192.0.2.10"] }),
    );
    assert.equal(i.level, "ok");
  });
  it("KoffBackend to the server is fine, elsewhere suspicious (never malicious from one snapshot)", () => {
    const ok = cpuNetworkIndicator(
      subject({
        loadingProcesses: [loaded("KoffBackend.exe", ["192.0.2.10:443"])],
        kerioServers: ["192.0.2.10"],
      }),
    );
    assert.equal(ok.level, "ok");
    const odd = cpuNetworkIndicator(
      subject({
        loadingProcesses: [loaded("KoffBackend.exe", ["198.51.100.9:4444"])],
        kerioServers: ["192.0.2.10"],
      }),
    );
    assert.equal(odd.level, "suspicious");
  });
  it("without --server KoffBackend's connections are unknown, an unexpected host's are suspicious", () => {
    assert.equal(
      cpuNetworkIndicator(subject({ loadingProcesses: [loaded("KoffBackend.exe", ["192.0.2.10:443"])] }))
        .level,
      "unknown",
    );
    assert.equal(
      cpuNetworkIndicator(subject({ loadingProcesses: [loaded("rundll32.exe", ["192.0.2.10:443"])] })).level,
      "suspicious",
    );
  });
  it("is unknown when the mode cannot see processes", () => {
    assert.equal(cpuNetworkIndicator(subject()).level, "unknown");
  });
});
