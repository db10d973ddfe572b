/**
 * The event logs of the sample images (examples/<scenario>/Windows/System32/winevt/Logs/), written
 * by the test-only EVTX writer from a seeded PRNG: on every machine, the connector's install
 * (MsiInstaller 1033/11707), Outlook's add-in load times (Outlook 45) and unrelated noise; per
 * scenario, what happened there (Outlook crashing in the provider DLL on `corrupt-cache`, the
 * removal on `koff-uninstalled`, a Defender detection of an unrelated file on
 * `missing-av-exclusions`). `orphan-cache` has no event logs, to show how an image without
 * them reads.
 *
 * Run `node dist/test/helpers/sample-event-logs.js examples` (examples/build.sh does); the output
 * is byte-for-byte deterministic, and test/evtx/sample-logs.test.ts checks the committed files.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { interleave, noise } from "./evtx-fixtures.js";
import { filetime, writeEvtx, type WriterEvent } from "./evtx-writer.js";

const COMPUTER = "PC-ALICE.corp.example";
const ALICE = "S-1-5-21-1004336348-1177238915-682003330-1001";
const INSTALL = "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)";
const PRODUCT = "Kerio Outlook Connector (Offline Edition)";
const DEFENDER = "Microsoft-Windows-Windows Defender/Operational";

/** The folder of the logs inside an image. */
export const LOGS_FOLDER = path.join("Windows", "System32", "winevt", "Logs");

function classic(
  provider: string,
  eventId: number,
  level: number,
  iso: string,
  data: string[],
  userId?: string,
): WriterEvent {
  return {
    provider,
    eventId,
    qualifiers: 0,
    level,
    channel: "Application",
    computer: COMPUTER,
    timeCreated: filetime(iso),
    ...(userId ? { userId } : {}),
    data: data.map((v, i) => [String(i), v]),
  };
}

function crash(
  iso: string,
  app: string,
  module: string,
  moduleVersion: string,
  folder = INSTALL,
): WriterEvent {
  const named: [string, string][] = [
    ["AppName", app],
    ["AppVersion", "16.0.17928.20114"],
    ["AppTimeStamp", "66d9a3f1"],
    ["ModuleName", module],
    ["ModuleVersion", moduleVersion],
    ["ModuleTimeStamp", "5f1e2a3b"],
    ["ExceptionCode", "c0000005"],
    ["FaultingOffset", "000000000004d2a1"],
    ["AppPath", `C:\\Program Files (x86)\\Microsoft Office\\root\\Office16\\${app}`],
    ["ModulePath", `${folder}\\${module}`],
  ];
  return { ...classic("Application Error", 1000, 2, iso, []), data: named };
}

/** What every machine with logs shows: the install, then Outlook starting with the connector. */
function everyday(): WriterEvent[] {
  const loaded = (iso: string) =>
    classic("Outlook", 45, 4, iso, [
      `Outlook loaded the following add-in(s):\n\nName: ${PRODUCT}\nDescription: Kerio Outlook Connector\nProgID: Kerio.OutlookConnector\nLoad Behavior: 3\nBoot Time (Milliseconds): 312`,
    ]);
  return [
    classic(
      "MsiInstaller",
      1033,
      4,
      "2026-11-03T09:14:05Z",
      [PRODUCT, "10.0.8104", "1033", "0", "Kerio Technologies s.r.o."],
      ALICE,
    ),
    classic(
      "MsiInstaller",
      11707,
      4,
      "2026-11-03T09:14:06Z",
      [`Product: ${PRODUCT} -- Installation completed successfully.`],
      ALICE,
    ),
    loaded("2026-11-03T09:20:41Z"),
    loaded("2026-11-10T08:02:13Z"),
    loaded("2026-11-19T07:58:02Z"),
  ];
}

/** Unrelated records that look like the relevant ones: another program's crash, another product's install. */
function lookalikes(): WriterEvent[] {
  return [
    crash("2026-11-12T13:40:00Z", "chrome.exe", "ntdll.dll", "10.0.22621.3958", "C:\\Windows\\System32"),
    classic(
      "MsiInstaller",
      1033,
      4,
      "2026-11-05T10:00:00Z",
      ["7-Zip 23.01 (x64)", "23.01.00.0", "1033", "0", "Igor Pavlov"],
      ALICE,
    ),
  ];
}

const SCENARIO_EVENTS: Record<string, () => WriterEvent[]> = {
  healthy: () => [],
  "impostor-in-roaming": () => [],
  "bitness-mismatch": () => [],
  "corrupt-cache": () => [
    crash("2026-11-18T08:31:12Z", "OUTLOOK.EXE", "kofmsp32.dll", "10.0.8104.0"),
    classic("Windows Error Reporting", 1001, 4, "2026-11-18T08:31:20Z", [
      "2143150591",
      "APPCRASH",
      "Not available",
      "0",
      "OUTLOOK.EXE",
      "16.0.17928.20114",
      "66d9a3f1",
      "kofmsp32.dll",
    ]),
    crash("2026-11-18T08:45:50Z", "KoffBackend.exe", "fbembed.dll", "2.5.9.27139"),
    crash("2026-11-20T09:02:33Z", "OUTLOOK.EXE", "kofmsp32.dll", "10.0.8104.0"),
  ],
  "missing-av-exclusions": () => [],
  "koff-uninstalled": () => [
    classic(
      "MsiInstaller",
      1034,
      4,
      "2026-11-17T16:22:40Z",
      [PRODUCT, "10.0.8104", "1033", "0", "Kerio Technologies s.r.o."],
      ALICE,
    ),
    classic(
      "MsiInstaller",
      11724,
      4,
      "2026-11-17T16:22:41Z",
      [`Product: ${PRODUCT} -- Removal completed successfully.`],
      ALICE,
    ),
  ],
};

/** A Defender detection of a file that is not the connector's: noise on every Defender log. */
function unrelatedDetection(eventId: number, iso: string, action: string): WriterEvent {
  return {
    provider: "Microsoft-Windows-Windows Defender",
    eventId,
    level: eventId === 1116 ? 3 : 4,
    channel: DEFENDER,
    computer: COMPUTER,
    timeCreated: filetime(iso),
    userId: "S-1-5-18",
    data: [
      ["Product Name", "Microsoft Defender Antivirus"],
      ["Threat Name", "PUA:Win32/Presenoker"],
      ["Severity Name", "Low"],
      ["Path", "file:_C:\\Users\\alice\\Downloads\\free-pdf-setup.exe"],
      ["Action Name", action],
    ],
  };
}

/** The logs of one scenario by file name; none for a scenario without logs. */
export function sampleEventLogs(scenario: string, index: number): Map<string, Uint8Array> {
  const extra = SCENARIO_EVENTS[scenario];
  if (!extra) return new Map();
  const t0 = filetime("2026-11-01T00:00:00Z");
  const application = [...noise(160, t0, 100 + index), ...everyday(), ...lookalikes(), ...extra()];
  application.sort((a, b) => (a.timeCreated < b.timeCreated ? -1 : a.timeCreated > b.timeCreated ? 1 : 0));
  const defender = interleave(noise(20, t0, 200 + index, DEFENDER), [
    unrelatedDetection(1116, "2026-11-12T11:00:00Z", "Not Applicable"),
    unrelatedDetection(1117, "2026-11-12T11:00:02Z", "Quarantine"),
  ]);
  return new Map([
    ["Application.evtx", writeEvtx(application, { firstRecordNumber: 1000 }).bytes],
    [
      "Microsoft-Windows-Windows Defender%4Operational.evtx",
      writeEvtx(defender, { firstRecordNumber: 1 }).bytes,
    ],
  ]);
}

/** The scenarios that have logs, in a fixed order (their index seeds the noise). */
export const SAMPLE_SCENARIOS = [
  "healthy",
  "impostor-in-roaming",
  "bitness-mismatch",
  "corrupt-cache",
  "orphan-cache",
  "missing-av-exclusions",
  "koff-uninstalled",
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const examples = process.argv[2] ?? "examples";
  SAMPLE_SCENARIOS.forEach((scenario, index) => {
    const logs = sampleEventLogs(scenario, index);
    if (logs.size === 0) return;
    const dir = path.join(examples, scenario, LOGS_FOLDER);
    mkdirSync(dir, { recursive: true });
    for (const [name, bytes] of logs) writeFileSync(path.join(dir, name), bytes);
    console.log(`${scenario}: ${[...logs.keys()].join(", ")}`);
  });
}
