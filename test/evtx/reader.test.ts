/**
 * The EVTX reader on the fixture logs: the events that matter with their fields, damage read
 * past and reported, truncation at every offset of a dense sample, seeded mutations (only
 * EvtxError may escape), limits, and the writer's determinism.
 */
import { iterateEvtxFile } from "../../src/adapters/host/evtx-file.js";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import {
  crc32,
  EvtxError,
  readEvtx,
  summarizeRecord,
  filetimeToIso,
  AnomalyLog,
} from "../../src/evtx/index.js";
import { buildEvtxFixtures } from "../helpers/evtx-fixtures.js";
import { writeEvtx } from "../helpers/evtx-writer.js";
import { seededUint32 } from "../helpers/prng.js";
import { FIXTURES } from "../helpers/repo.js";

const DIR = path.join(FIXTURES, "evtx");
const load = (name: string) => new Uint8Array(readFileSync(path.join(DIR, name)));

function onlyEvtxErrors(bytes: Uint8Array): number {
  try {
    return readEvtx(bytes).records.length;
  } catch (e) {
    assert.ok(e instanceof EvtxError, `unexpected ${(e as Error).stack}`);
    assert.equal(typeof e.offset, "number");
    return -1;
  }
}

describe("evtx reader: the events that matter", () => {
  const summaries = readEvtx(load("application.evtx")).records.map(summarizeRecord);

  it("reads every record of application.evtx, with no anomaly", () => {
    const log = readEvtx(load("application.evtx"));
    assert.equal(log.records.length, 2511);
    assert.deepEqual(log.anomalies, []);
    assert.equal(log.records[0]!.recordNumber, 40001);
    assert.equal(log.records.at(-1)!.recordNumber, 42511);
  });

  it("Application Error 1000 with kofmsp32.dll as the faulting module, fields typed", () => {
    const e = summaries.find((s) => s.eventId === 1000 && s.data["ModuleName"] === "kofmsp32.dll");
    assert.ok(e);
    assert.equal(e.provider, "Application Error");
    assert.equal(e.channel, "Application");
    assert.equal(e.level, 2);
    assert.equal(e.timeCreated, "2026-11-30T08:01:00.1234567Z");
    assert.equal(e.data["AppName"], "OUTLOOK.EXE");
    assert.equal(e.data["ProcessCreationTime"], "2026-11-30T08:00:55.1234567Z");
    assert.equal(e.data["IntegratorReportId"], "{6ad52b32-d609-4be9-ae07-ce8dae937e39}");
  });

  it("1001, 1002 (binary data as hex), Outlook 45/59 and MsiInstaller 1033/1034/11707/11724", () => {
    const ids = (provider: string) => summaries.filter((s) => s.provider === provider).map((s) => s.eventId);
    assert.deepEqual(ids("Windows Error Reporting"), [1001]);
    assert.deepEqual(ids("Outlook"), [45, 59]);
    assert.deepEqual(ids("MsiInstaller"), [1033, 1034, 11707, 11724]);
    const hang = summaries.find((s) => s.eventId === 1002)!;
    assert.equal(hang.data["Binary"], "55006E006B00");
    assert.match(summaries.find((s) => s.eventId === 59)!.data["0"]!, /kofmsp32\.dll$/);
  });

  it("Defender 1116/1117 with their SID, GUID and UInt32 values", () => {
    const d = readEvtx(load("defender.evtx")).records;
    const e = d.map(summarizeRecord).filter((s) => s.eventId === 1116 || s.eventId === 1117);
    assert.deepEqual(
      e.map((s) => [s.eventId, s.data["Action Name"]]),
      [
        [1116, "Not Applicable"],
        [1117, "Quarantine"],
      ],
    );
    assert.equal(e[0]!.channel, "Microsoft-Windows-Windows Defender/Operational");
    assert.equal(e[0]!.data["Detection ID"], "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}");
    assert.equal(e[0]!.data["Error Code"], "0");
    const record = d.find((r) => summarizeRecord(r).eventId === 1116)!;
    const security = (
      record.event.children[0] as { children: { name: string; attributes: { value: string }[] }[] }
    ).children.find((c) => c.name === "Security");
    assert.equal(security?.attributes[0]?.value, "S-1-5-18");
  });

  it("an optional substitution with no value drops its attribute (no Qualifiers on manifest events)", () => {
    const rec = readEvtx(load("defender.evtx")).records.find((r) => summarizeRecord(r).eventId === 1116)!;
    const system = rec.event.children[0] as { children: { name: string; attributes: unknown[] }[] };
    assert.deepEqual(system.children.find((c) => c.name === "EventID")!.attributes, []);
  });
});

describe("evtx reader: damage is read past and reported", () => {
  it("damaged.evtx: dirty flag, bad records CRC, bad header CRC, one broken record skipped", () => {
    const log = readEvtx(load("damaged.evtx"));
    assert.deepEqual(
      log.anomalies.map((a) => [a.code, a.structure]),
      [
        ["dirty", "file header"],
        ["bad-crc", "chunk header"],
        ["bad-crc", "chunk header"],
        ["bad-token", "BinXml token"],
      ],
    );
    // 1,211 written; one broken; the dirty chunk's header hides its last three.
    assert.equal(log.records.length, 1211 - 1 - 3);
    const numbers = log.records.map((r) => r.recordNumber);
    const gaps = numbers.slice(1).flatMap((n, i) => (n === numbers[i]! + 1 ? [] : [n - numbers[i]! - 1]));
    assert.deepEqual(
      gaps,
      [1, 3],
      "the broken record skipped, its chunk read on; the dirty chunk's hidden three",
    );
  });

  it("truncated.evtx: the partial chunk is read up to its last complete record", () => {
    const log = readEvtx(load("truncated.evtx"));
    assert.deepEqual(
      log.anomalies.map((a) => a.code),
      ["truncated", "malformed"],
    );
    const full = writeEvtx([]).bytes.length; // 4 KiB: an empty log has no chunk
    assert.equal(full, 4096);
    assert.ok(log.records.length > 234);
    assert.deepEqual(
      log.records.map((r) => r.recordNumber),
      log.records.map((_, i) => i + 1),
    );
  });

  it("not an EVTX file: EvtxError not-evtx with offset 0", () => {
    assert.throws(
      () => readEvtx(new TextEncoder().encode("MZ not an event log")),
      (e: unknown) => e instanceof EvtxError && e.code === "not-evtx" && e.offset === 0,
    );
  });

  it("a bad file header CRC is reported, not trusted: the records are still read", () => {
    const bytes = load("defender.evtx");
    bytes[100] = bytes[100]! ^ 0xff;
    const log = readEvtx(bytes);
    assert.equal(log.anomalies[0]?.code, "bad-crc");
    assert.equal(log.records.length, 302);
  });
});

describe("evtx reader: truncation and mutation", () => {
  it("defender.evtx cut at every offset of a dense sample: records are a prefix, only EvtxError", () => {
    const bytes = load("defender.evtx");
    const full = readEvtx(bytes).records.map((r) => r.recordNumber);
    const cuts: number[] = [];
    for (let n = 0; n < 4096 + 1024; n++) cuts.push(n);
    for (let n = 4096 + 1024; n < bytes.length; n += 251) cuts.push(n);
    let previous = 0;
    for (const n of cuts) {
      if (n < 128) assert.equal(onlyEvtxErrors(bytes.subarray(0, n)), -1, `cut at ${n}`);
      else {
        const numbers = readEvtx(bytes.subarray(0, n)).records.map((r) => r.recordNumber);
        assert.deepEqual(numbers, full.slice(0, numbers.length), `cut at ${n}`);
        assert.ok(numbers.length >= previous, `cut at ${n} reads fewer records than a shorter cut`);
        previous = numbers.length;
      }
    }
  });

  it("python-evtx dns_log_malformed.evtx cut at every offset (all 69,633 truncations): records are a prefix, only EvtxError", () => {
    const bytes = load(path.join("python-evtx", "dns_log_malformed.evtx"));
    const full = readEvtx(bytes).records.map((r) => r.recordNumber);
    assert.ok(full.length > 1, "the log has records to cut through");
    let previous = 0;
    for (let n = 0; n <= bytes.length; n++) {
      if (n < 128) {
        assert.equal(onlyEvtxErrors(bytes.subarray(0, n)), -1, `cut at ${n}`);
        continue;
      }
      const numbers = readEvtx(bytes.subarray(0, n)).records.map((r) => r.recordNumber);
      assert.deepEqual(numbers, full.slice(0, numbers.length), `cut at ${n}`);
      assert.ok(numbers.length >= previous, `cut at ${n} reads fewer records than a shorter cut`);
      previous = numbers.length;
    }
    assert.equal(previous, full.length, "the uncut file reads every record");
  });

  it("3,000 seeded mutations of a chunk: only EvtxError escapes, anomalies are capped", () => {
    const base = load("defender.evtx").subarray(0, 4096 + 65536);
    const next = seededUint32(0xe7e7);
    for (let i = 0; i < 3000; i++) {
      const m = base.slice();
      const edits = 1 + (next() % 16);
      for (let k = 0; k < edits; k++) {
        const at = next() % 4 === 0 ? 4096 + (next() % 512) : 4096 + 512 + (next() % 65024);
        m[at] = next() % 3 === 0 ? [0x00, 0xff, 0x0c, 0x41, 0x21][next() % 5]! : next() & 0xff;
      }
      const got = onlyEvtxErrors(m);
      assert.ok(got >= 0, `mutation ${i}: the file header is intact, the file must open`);
    }
  });
});

describe("evtx reader: limits", () => {
  it("anomalies stop at the cap with anomaly-limit-reached", () => {
    const log = new AnomalyLog();
    for (let i = 0; i < 1200; i++)
      log.add({ code: "bad-crc", offset: i, structure: "chunk header", message: "x" });
    assert.equal(log.list.length, 1001);
    assert.equal(log.list.at(-1)!.code, "anomaly-limit-reached");
  });
});

describe("evtx reader: helpers", () => {
  it("crc32 matches the standard check value", () => {
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  });

  it("FILETIME renders with seven fractional digits, before 1970 too", () => {
    assert.equal(filetimeToIso(116444736000000000n + 1n), "1970-01-01T00:00:00.0000001Z");
    assert.equal(filetimeToIso(0n), "1601-01-01T00:00:00.0000000Z");
  });

  it("iterateEvtxFile reads the same records as readEvtx, one chunk at a time", async () => {
    const numbers: number[] = [];
    for await (const r of iterateEvtxFile(path.join(DIR, "damaged.evtx"))) numbers.push(r.recordNumber);
    assert.deepEqual(
      numbers,
      readEvtx(load("damaged.evtx")).records.map((r) => r.recordNumber),
    );
  });

  it("the committed fixture logs are what the writer builds (deterministic)", () => {
    for (const [name, bytes] of buildEvtxFixtures()) {
      assert.ok(
        Buffer.from(bytes).equals(readFileSync(path.join(DIR, name))),
        `${name} differs: run fixtures/evtx/build.sh`,
      );
    }
  });
});
