/**
 * The fixture event logs of fixtures/evtx/, built by the test-only writer from a seeded PRNG:
 * the events koff-doctor looks for (Application 1000/1001/1002, Outlook 45/59, MsiInstaller
 * 1033/1034/11707/11724, Defender 1116/1117) among thousands of unrelated records, and damaged
 * copies (a dirty chunk, bad CRCs, a broken record, a truncated file).
 *
 * Run `node dist/test/helpers/evtx-fixtures.js fixtures/evtx` (fixtures/evtx/build.sh) to
 * rewrite them; the output is byte-for-byte deterministic, and a test checks the committed files.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { filetime, sealChunk, writeEvtx, type WriterEvent } from "./evtx-writer.js";
import { seededUint32 } from "./prng.js";

const COMPUTER = "PC-ACCT-07.corp.example";

function app(
  provider: string,
  eventId: number,
  level: number,
  t: bigint,
  data: WriterEvent["data"],
  qualifiers = 0,
): WriterEvent {
  return {
    provider,
    eventId,
    qualifiers,
    level,
    channel: "Application",
    computer: COMPUTER,
    timeCreated: t,
    data,
  };
}

/** The events that matter, one or more of each (see docs/evtx.md). */
function mattering(t0: bigint): WriterEvent[] {
  const t = (k: number) => t0 + BigInt(k) * 600_000_000n + 1234567n;
  const fault = (k: number, appName: string, module: string) =>
    app("Application Error", 1000, 2, t(k), [
      ["AppName", appName],
      ["AppVersion", "16.0.17928.20114"],
      ["AppTimeStamp", "66d9a3f1"],
      ["ModuleName", module],
      ["ModuleVersion", "10.2.3.7654"],
      ["ModuleTimeStamp", "5f1e2a3b"],
      ["ExceptionCode", "c0000005"],
      ["FaultingOffset", "000000000004d2a1"],
      ["ProcessId", "0x1a2c"],
      ["ProcessCreationTime", { filetime: t(k) - 50_000_000n }],
      ["AppPath", `C:\\Program Files\\Microsoft Office\\root\\Office16\\${appName}`],
      ["ModulePath", `C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\${module}`],
      ["IntegratorReportId", { guid: "{6ad52b32-d609-4be9-ae07-ce8dae937e39}" }],
    ]);
  return [
    fault(1, "OUTLOOK.EXE", "kofmsp32.dll"),
    fault(2, "KoffBackend.exe", "fbembed.dll"),
    fault(3, "OUTLOOK.EXE", "fbclient.dll"),
    app("Windows Error Reporting", 1001, 4, t(4), [
      ["0", "2143150591"],
      ["1", "APPCRASH"],
      ["2", "Not available"],
      ["3", "0"],
      ["4", "OUTLOOK.EXE"],
      ["5", "16.0.17928.20114"],
      ["6", "kofmsp32.dll"],
    ]),
    app("Application Hang", 1002, 2, t(5), [
      ["0", "OUTLOOK.EXE"],
      ["1", "16.0.17928.20114"],
      ["2", "3b1c"],
      ["3", "Hang type: Quiesce"],
      ["Binary", { binary: Uint8Array.from([0x55, 0x00, 0x6e, 0x00, 0x6b, 0x00]) }],
    ]),
    app(
      "Outlook",
      45,
      4,
      t(6),
      [["0", "Kerio Outlook Connector (Offline Edition)\nboot time (milliseconds): 1450"]],
      16384,
    ),
    app(
      "Outlook",
      59,
      3,
      t(7),
      [["0", "Kerio Outlook Connector (Offline Edition)\nC:\\Program Files (x86)\\Kerio\\kofmsp32.dll"]],
      16384,
    ),
    app("MsiInstaller", 1033, 4, t(8), [
      ["0", "Kerio Outlook Connector (Offline Edition)"],
      ["1", "10.0.8104"],
      ["2", "1033"],
      ["3", "0"],
      ["4", "Kerio Technologies s.r.o."],
    ]),
    app("MsiInstaller", 1034, 4, t(9), [
      ["0", "Kerio Outlook Connector (Offline Edition)"],
      ["1", "10.0.7348"],
      ["2", "1033"],
      ["3", "0"],
      ["4", "Kerio Technologies s.r.o."],
    ]),
    app("MsiInstaller", 11707, 4, t(10), [
      ["0", "Product: Kerio Outlook Connector (Offline Edition) -- Installation completed successfully."],
    ]),
    app("MsiInstaller", 11724, 4, t(11), [
      ["0", "Product: Kerio Outlook Connector (Offline Edition) -- Removal completed successfully."],
    ]),
  ];
}

function defender(t0: bigint): WriterEvent[] {
  const channel = "Microsoft-Windows-Windows Defender/Operational";
  const base = (eventId: number, level: number, k: number, action: string): WriterEvent => ({
    provider: "Microsoft-Windows-Windows Defender",
    eventId,
    level,
    channel,
    computer: COMPUTER,
    timeCreated: t0 + BigInt(k) * 10_000_000n,
    userId: "S-1-5-18",
    data: [
      ["Product Name", "Microsoft Defender Antivirus"],
      ["Product Version", "4.18.24090.11"],
      ["Detection ID", { guid: "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}" }],
      ["Detection Time", "2026-11-30T08:15:02.114Z"],
      ["Threat Name", "Trojan:Win32/Kofspoof.A!dha"],
      ["Severity Name", "Severe"],
      ["Path", "file:_C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\kofmsp32.dll"],
      ["Process Name", "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE"],
      ["Action Name", action],
      ["Error Code", { uint32: 0 }],
      ["Engine Version", "AM: 1.1.24090.11"],
    ],
  });
  return [base(1116, 3, 1, "Not Applicable"), base(1117, 4, 2, "Quarantine")];
}

const NOISE_PROVIDERS: [string, number, number | undefined][] = [
  ["Microsoft-Windows-Security-SPP", 16384, 16384],
  ["Microsoft-Windows-Security-SPP", 16394, 16384],
  ["VSS", 8224, 0],
  ["Microsoft-Windows-RestartManager", 10000, undefined],
  ["Microsoft-Windows-RestartManager", 10001, undefined],
  ["ESENT", 326, 0],
  ["gupdate", 0, 0],
  ["Microsoft-Windows-Winlogon", 6003, undefined],
];

/** `count` unrelated records with a few shapes and typed values. */
export function noise(count: number, t0: bigint, seed: number, channel = "Application"): WriterEvent[] {
  const next = seededUint32(seed);
  const out: WriterEvent[] = [];
  for (let i = 0; i < count; i++) {
    const [provider, eventId, qualifiers] = NOISE_PROVIDERS[next() % NOISE_PROVIDERS.length]!;
    const data: WriterEvent["data"] = [];
    const fields = 1 + (next() % 4);
    for (let f = 0; f < fields; f++) {
      const kind = next() % 6;
      const value =
        kind === 0
          ? { uint32: next() }
          : kind === 1
            ? { hex64: (BigInt(next()) << 32n) | BigInt(next()) }
            : kind === 2
              ? { binary: Uint8Array.from({ length: next() % 12 }, () => next() & 0xff) }
              : `value ${next().toString(36)} <&> "q"`;
      data.push([`param${f + 1}`, value]);
    }
    out.push({
      provider,
      eventId,
      ...(qualifiers === undefined ? {} : { qualifiers }),
      level: [0, 2, 3, 4][next() % 4]!,
      channel,
      computer: COMPUTER,
      timeCreated: t0 + BigInt(i) * 37_000_000n + BigInt(next() % 10_000_000),
      data,
    });
  }
  return out;
}

/** Puts `special` at spread positions among `noise`. */
export function interleave(noiseEvents: WriterEvent[], special: WriterEvent[]): WriterEvent[] {
  const out = [...noiseEvents];
  special.forEach((e, k) => out.splice(Math.floor(((k + 1) * out.length) / (special.length + 1)), 0, e));
  return out;
}

/**
 * An Application log of about `megabytes` MB: the events that matter among noise (for the bench;
 * not committed).
 */
export function largeApplicationLog(megabytes: number): Uint8Array {
  const t0 = filetime("2026-01-01T00:00:00Z");
  return writeEvtx(interleave(noise(Math.round(megabytes * 1820), t0, 99), mattering(t0))).bytes;
}

/** Every fixture log by file name. */
export function buildEvtxFixtures(): Map<string, Uint8Array> {
  const t0 = filetime("2026-11-30T08:00:00Z");
  const files = new Map<string, Uint8Array>();

  files.set(
    "application.evtx",
    writeEvtx(interleave(noise(2500, t0, 1), mattering(t0)), { firstRecordNumber: 40001 }).bytes,
  );
  files.set(
    "defender.evtx",
    writeEvtx(interleave(noise(300, t0, 2, "Microsoft-Windows-Windows Defender/Operational"), defender(t0)), {
      firstRecordNumber: 7,
    }).bytes,
  );

  // damaged.evtx: dirty file; chunk 1 with a flipped data byte (records CRC wrong); chunk 2 with
  // a changed header byte (header CRC wrong); chunk 3 with one record's BinXml broken (CRCs
  // resealed); chunk 4 "dirty": its header still describes fewer records than it holds, and a
  // half-written record follows.
  const damaged = writeEvtx(interleave(noise(1200, t0, 3), mattering(t0)), {
    firstRecordNumber: 900,
    fileFlags: 1,
  });
  const d = damaged.bytes;
  const [c1, c2, c3, c4] = damaged.chunks.slice(1, 5);
  if (!c1 || !c2 || !c3 || !c4) throw new Error("damaged.evtx needs five chunks");
  flipTextByte(d, c1.offset);
  d[c2.offset + 64] = 0x5a;
  breakRecordToken(d, c3.offset);
  dirtyChunk(d, c4.offset);
  files.set("damaged.evtx", d);

  // truncated.evtx: a log cut in the middle of its third chunk.
  const whole = writeEvtx(noise(900, t0, 4), { firstRecordNumber: 1 }).bytes;
  files.set("truncated.evtx", whole.slice(0, 4096 + 2 * 65536 + 30001));
  return files;
}

/** Changes one character of a string value in the chunk's second half (`v` of "value" → `V`). */
function flipTextByte(d: Uint8Array, chunkOffset: number): void {
  for (let p = chunkOffset + 32768; p < chunkOffset + 65536; p += 2) {
    if (d[p] === 0x76 && d[p + 2] === 0x61 && d[p + 4] === 0x6c && d[p + 6] === 0x75 && d[p + 8] === 0x65) {
      d[p] = 0x56;
      return;
    }
  }
  throw new Error("no string value to damage");
}

/** Breaks the third record's BinXml (its first token after the fragment header), CRCs resealed. */
function breakRecordToken(d: Uint8Array, chunkOffset: number): void {
  const view = new DataView(d.buffer, d.byteOffset);
  let p = chunkOffset + 512;
  for (let k = 0; k < 2; k++) p += view.getUint32(p + 4, true);
  d[p + 24 + 4] = 0x7e; // was 0x0c, a template instance
  sealChunk(d.subarray(chunkOffset, chunkOffset + 65536));
}

/** Rolls the chunk header back three records and writes a half record after the real ones. */
function dirtyChunk(d: Uint8Array, chunkOffset: number): void {
  const chunk = d.subarray(chunkOffset, chunkOffset + 65536);
  const view = new DataView(chunk.buffer, chunk.byteOffset, 65536);
  const offsets: number[] = [];
  const freeSpace = view.getUint32(48, true);
  for (let p = 512; p < freeSpace; p += view.getUint32(p + 4, true)) offsets.push(p);
  const stale = offsets[offsets.length - 3]!;
  const last = Number(view.getBigUint64(16, true));
  view.setBigUint64(16, BigInt(last - 3), true);
  view.setBigUint64(32, BigInt(last - 3), true);
  view.setUint32(44, offsets[offsets.length - 4]!, true);
  view.setUint32(48, stale, true);
  // Half a record after the real ones: a signature and a size that runs into zeros.
  if (freeSpace + 64 < 65536) {
    view.setUint32(freeSpace, 0x00002a2a, true);
    view.setUint32(freeSpace + 4, 600, true);
    view.setBigUint64(freeSpace + 8, BigInt(last + 1), true);
  }
  sealChunk(chunk);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? "fixtures/evtx";
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of buildEvtxFixtures()) {
    writeFileSync(path.join(dir, name), bytes);
    console.log(`${name}: ${bytes.length} bytes`);
  }
}
