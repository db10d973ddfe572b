/**
 * The EVTX reader on small real Windows logs from the samples of the Rust `evtx` crate
 * (fixtures/evtx/omerbenamram-evtx/, MIT; provenance in its README), each chosen for a rendering
 * rule [MS-EVEN6] 3.1.4.7 sets and the fixture writer does not exercise: optional substitutions
 * of NULL values, array values, elements written without a dependency identifier, logs saved
 * from a filtered view. Expected values were checked against `evtxexport` and `evtx_dump.py`
 * (docs/evtx.md "Oracles").
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { readEvtx, summarizeRecord, type EvtxElement, type EvtxLog } from "../../src/evtx/index.js";
import { evtxOutOfBounds } from "../../src/evtx/errors.js";
import { renderValue, ValueType } from "../../src/evtx/values.js";
import { ByteReader } from "../../src/util/byte-reader.js";
import { filetime, writeEvtx } from "../helpers/evtx-writer.js";
import { FIXTURES } from "../helpers/repo.js";

const DIR = path.join(FIXTURES, "evtx", "omerbenamram-evtx");
const read = (name: string): EvtxLog => readEvtx(readFileSync(path.join(DIR, name)));
const child = (e: EvtxElement, name: string) =>
  e.children.filter((c): c is EvtxElement => typeof c !== "string" && c.name === name);

describe("evtx on real logs: rendering rules of [MS-EVEN6] 3.1.4.7", () => {
  it("an array value repeats its element, one <Data> per string (Application_no_crc32.evtx)", () => {
    const log = read("Application_no_crc32.evtx");
    assert.equal(log.records.length, 17);
    const r427 = log.records.find((r) => r.recordNumber === 427)!;
    const eventData = child(r427.event, "EventData")[0]!;
    assert.deepEqual(
      child(eventData, "Data").map((d) => d.children.join("")),
      ["Windows Defender", "SECURITY_PRODUCT_STATE_ON"],
    );
    assert.deepEqual(summarizeRecord(r427).data, {
      "0": "Windows Defender",
      "1": "SECURITY_PRODUCT_STATE_ON",
    });
  });

  it("an element holding an optional substitution of a NULL value is omitted (Application_no_crc32.evtx)", () => {
    const r426 = read("Application_no_crc32.evtx").records.find((r) => r.recordNumber === 426)!;
    // The classic template is <EventData><Data>%1</Data><Binary>%2</Binary></EventData>, both NULL.
    assert.deepEqual(child(r426.event, "EventData")[0]!.children, []);
    assert.deepEqual(summarizeRecord(r426).data, {});
  });

  it("a damaged log still reports its bad CRCs (Application_no_crc32.evtx)", () => {
    const codes = read("Application_no_crc32.evtx").anomalies.map((a) => `${a.code} ${a.structure}`);
    assert.deepEqual(codes, ["bad-crc file header", "bad-crc chunk header", "bad-crc chunk header"]);
  });

  it("elements of a record body written without dependency identifiers are read (issue_201.evtx)", () => {
    const log = read("issue_201.evtx");
    assert.deepEqual(log.anomalies, []);
    assert.equal(log.records.length, 1);
    const s = summarizeRecord(log.records[0]!);
    assert.equal(s.recordNumber, 3229);
    assert.equal(s.eventId, 1);
    assert.equal(s.provider, "MSExchange CmdletLogs");
    assert.equal(s.channel, "MSExchange Management");
    // A forwarded event's SystemTime is text with nine digits; shown with Windows' seven.
    assert.equal(s.timeCreated, "2021-11-19T16:52:33.8337335Z");
    assert.equal(s.data["0"], "Set-Mailbox");
    assert.equal(s.data["26"], "fr-FR");
  });

  it("BinXml values whose elements have no dependency identifier are read (CAPI2 Operational, first chunk)", () => {
    const log = read("CAPI2-Operational-first-chunk.evtx");
    assert.deepEqual(log.anomalies, []);
    assert.equal(log.records.length, 35);
    const first = log.records[0]!;
    assert.equal(summarizeRecord(first).eventId, 80);
    assert.equal(summarizeRecord(first).provider, "Microsoft-Windows-CAPI2");
    const body = child(child(first.event, "UserData")[0]!, "WinVerifyTrustStart");
    assert.equal(body.length, 1);
  });

  it("recordNumber is System/EventRecordID, not the renumbered header of a saved filtered log (new-user-security.evtx)", () => {
    const log = read("new-user-security.evtx");
    assert.deepEqual(
      log.records.map((r) => r.recordNumber),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      log.records.map((r) => summarizeRecord(r).recordNumber),
      [111, 112, 113, 116],
    );
  });
});

const noEvtxexport =
  spawnSync("sh", ["-c", "command -v evtxexport"]).status === 0
    ? false
    : "evtxexport (Debian libevtx-utils) is not installed";

describe("evtx on real logs: EventData equal evtxexport's", { skip: noEvtxexport }, () => {
  for (const name of ["Application_no_crc32.evtx", "new-user-security.evtx"]) {
    it(name, () => {
      const xml = spawnSync("evtxexport", ["-f", "xml", path.join(DIR, name)], { encoding: "utf8" }).stdout;
      const theirs = xml
        .split("<Event xmlns")
        .slice(1)
        .map((block) =>
          [...block.matchAll(/<Data(?: Name="([^"]*)")?(?:\/>|>([^<]*)<\/Data>)/g)].map(
            // evtxexport pads hex values to the type's width; Windows does not (docs/evtx.md).
            (m) => `${m[1] ?? ""}=${(m[2] ?? "").trim().replace(/^0x0*(?=[0-9a-f])/, "0x")}`,
          ),
        );
      const mine = read(name).records.map((r) =>
        child(child(r.event, "EventData")[0] ?? { name: "", attributes: [], children: [] }, "Data").map(
          (d) => `${d.attributes.find((a) => a.name === "Name")?.value ?? ""}=${d.children.join("").trim()}`,
        ),
      );
      // evtxexport drops a value that is only a line break (ExtraInfo of record 441); python-evtx
      // and we keep it: compared trimmed.
      assert.ok(theirs.length > 0);
      assert.deepEqual(mine, theirs);
    });
  }
});

describe("evtx value rendering as Windows prints it (wevtutil qe /f:xml, Event Viewer's XML view)", () => {
  const render = (type: number, bytes: number[]) =>
    renderValue(new ByteReader(new Uint8Array(bytes), evtxOutOfBounds(0)), type, 0, bytes.length, 0);
  const le = (n: bigint, width: number) =>
    Array.from({ length: width }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));

  it("HexInt32, HexInt64 and SizeT: lower-case hex without leading zeros (0x3e7, 0x0, 0xc000006d)", () => {
    assert.equal(render(ValueType.HEX_INT64, le(0x3e7n, 8)), "0x3e7");
    assert.equal(render(ValueType.HEX_INT64, le(0n, 8)), "0x0");
    assert.equal(render(ValueType.HEX_INT64, le(0x8020000000000000n, 8)), "0x8020000000000000");
    assert.equal(render(ValueType.HEX_INT32, le(0xc000006dn, 4)), "0xc000006d");
    assert.equal(render(ValueType.HEX_INT32, le(0x15n, 4)), "0x15");
    // A pointer (win:Pointer, e.g. 4624 ProcessId 0x44c) is hex whatever its width.
    assert.equal(render(ValueType.SIZE_T, le(0x44cn, 8)), "0x44c");
    assert.equal(render(ValueType.SIZE_T, le(0x44cn, 4)), "0x44c");
    assert.equal(render(ValueType.HEX_INT32 | ValueType.ARRAY, [...le(1n, 4), ...le(0xabn, 4)]), "0x1, 0xab");
  });

  it("a real Security log's logon id is 0x3e7, not the oracles' 0x00000000000003e7 (new-user-security.evtx)", () => {
    const ids = read("new-user-security.evtx").records.map((r) => summarizeRecord(r).data["SubjectLogonId"]);
    assert.ok(ids.length > 0 && ids.every((id) => id === "0x3e7"), ids.join(" "));
  });

  it("UserData: an element's attributes are fields named by its path and @name; an attribute-only element has no empty field (CAPI2)", () => {
    const log = read("CAPI2-Operational-first-chunk.evtx");
    assert.deepEqual(summarizeRecord(log.records[0]!).data, {
      "EventAuxInfo/@ProcessName": "Setup.exe",
      "CorrelationAuxInfo/@TaskId": "{1CB1FE4B-D685-48FC-A3FA-42893E4C1717}",
      "CorrelationAuxInfo/@SeqNumber": "1",
    });
    const wire = summarizeRecord(log.records.find((r) => summarizeRecord(r).eventId === 53)!).data;
    // An element with text and attributes has both; namespace declarations are not fields.
    assert.equal(wire["URL"], "http://crl.microsoft.com/pki/crl/products/CSPCA.crl");
    assert.equal(wire["URL/@scheme"], "http");
    assert.equal(wire["Flags/@value"], "202005");
    assert.equal(wire["Flags"], undefined);
    for (const record of log.records)
      for (const [k, v] of Object.entries(summarizeRecord(record).data)) {
        assert.ok(!/(^|\/)@xmlns(:|$)/.test(k), k);
        assert.ok(v !== "" || !k.includes("AuxInfo"), `${k} is empty`);
      }
  });

  it("a data field named __proto__ is kept as an own field, not swallowed by the object's prototype", () => {
    const log = readEvtx(
      writeEvtx([
        {
          provider: "P",
          eventId: 1,
          level: 4,
          channel: "Application",
          computer: "PC",
          timeCreated: filetime("2026-01-01T00:00:00Z"),
          data: [
            ["__proto__", "hidden?"],
            ["after", "b"],
          ],
        },
      ]).bytes,
    );
    const data = summarizeRecord(log.records[0]!).data;
    assert.deepEqual(Object.keys(data), ["__proto__", "after"]);
    assert.equal(JSON.parse(JSON.stringify(data))["__proto__"], "hidden?");
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
  });
});
