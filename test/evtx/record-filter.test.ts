/**
 * The reader's record filter (src/evtx/read-evtx.ts `EvtxRecordFilter`): records are judged by
 * their event id and provider before they are rendered. Whatever the filter, the records it
 * wants come out exactly as a full reading renders them, on every fixture log (Windows' own
 * included), every example image's logs, logs cut short and mutated chunks.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import {
  AnomalyLog,
  crc32,
  ChunkBinXml,
  eventIdAndProvider,
  iterateEvtx,
  readChunk,
  readEvtx,
  summarizeRecord,
  type EvtxRecordFilter,
} from "../../src/evtx/index.js";
import { relevantEventLogs } from "../../src/check/relevant-events.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import { evtxOutOfBounds } from "../../src/evtx/errors.js";
import { ByteReader } from "../../src/util/byte-reader.js";
import { wantsIdOrProvider } from "../../src/windows/event-query.js";
import { seededUint32 } from "../helpers/prng.js";
import { EXAMPLES, FIXTURES } from "../helpers/repo.js";

/** Every `.evtx` under `dir`, recursively. */
function evtxFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".evtx"))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

const LOGS = [...evtxFiles(path.join(FIXTURES, "evtx")), ...evtxFiles(EXAMPLES)];

/** The filters tried: the queries `check` asks, a provider-only one, none wanted, all wanted, odd ids. */
const QUERIES = relevantEventLogs(loadKnowledge(), 200).map((l) => l.query);
const FILTERS: Array<[string, EvtxRecordFilter]> = [
  ...QUERIES.map((q, i): [string, EvtxRecordFilter] => [
    `check query ${i}`,
    (h) => h.eventId !== null && wantsIdOrProvider(q, h.eventId, h.provider ?? ""),
  ]),
  ["provider MsiInstaller", (h) => (h.provider ?? "").toLowerCase() === "msiinstaller"],
  ["nothing", () => false],
  ["everything", () => true],
  ["odd ids", (h) => h.eventId !== null && h.eventId % 2 === 1],
  ["no event id", (h) => h.eventId === null],
];

/**
 * Asserts that, for every filter, reading `bytes` with it and then testing what comes out (as a
 * caller does) gives the records a full reading gives that pass the same test.
 */
function assertSameRecords(bytes: Uint8Array, what: string): void {
  const all = readEvtx(bytes).records;
  const summaries = all.map(summarizeRecord);
  for (const [name, filter] of FILTERS) {
    const got = [...iterateEvtx(bytes, new AnomalyLog(), filter)].filter((r) => filter(summarizeRecord(r)));
    assert.deepEqual(
      got,
      all.filter((_, i) => filter(summaries[i]!)),
      `${what}, ${name}`,
    );
  }
}

/** True when `bytes` opens as a log; when it does not, reading it with a filter throws too. */
function opens(bytes: Uint8Array): boolean {
  try {
    readEvtx(bytes);
    return true;
  } catch {
    assert.throws(() => [...iterateEvtx(bytes, new AnomalyLog(), () => false)]);
    return false;
  }
}

describe("evtx record filter: the records wanted are those a full reading gives", () => {
  it("finds the fixture logs and the example images' logs", () => {
    assert.ok(LOGS.length >= 10, `only ${LOGS.length} logs found`);
  });

  for (const file of LOGS) {
    it(path.relative(path.dirname(FIXTURES), file), () => {
      const bytes = new Uint8Array(readFileSync(file));
      if (opens(bytes)) assertSameRecords(bytes, file);
    });
  }

  it("the check queries drop most records of a log before rendering them", () => {
    const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, "evtx", "application.evtx")));
    const [application] = FILTERS;
    const rendered = [...iterateEvtx(bytes, new AnomalyLog(), application![1])];
    assert.ok(rendered.length > 0 && rendered.length < readEvtx(bytes).records.length / 10);
  });

  it("a record read before rendering has the event id and provider of its rendering", () => {
    let compared = 0;
    for (const file of LOGS) {
      const bytes = new Uint8Array(readFileSync(file));
      if (!opens(bytes)) continue;
      for (const record of readEvtx(bytes).records) {
        const chunk = bytes.subarray(
          4096 + record.chunkIndex * 65536,
          4096 + (record.chunkIndex + 1) * 65536,
        );
        const base = 4096 + record.chunkIndex * 65536;
        const p = record.offset - base;
        const size = new DataView(chunk.buffer, chunk.byteOffset).getUint32(p + 4, true);
        const reader = new ByteReader(chunk, evtxOutOfBounds(base));
        const head = new ChunkBinXml(reader, base).readSystemHead(p + 24, p + size - 4);
        // A body that is not a template instance (a forwarded event written element by element,
        // issue_201.evtx) is not the common layout: it is rendered, not read ahead.
        const templated = (chunk[p + 24]! & 0xbf) === 0x0f ? chunk[p + 28] === 0x0c : chunk[p + 24] === 0x0c;
        if (!templated) {
          assert.equal(head, undefined);
          continue;
        }
        assert.ok(head, `record ${record.recordNumber} of ${file}: the common layout is read`);
        const s = summarizeRecord(record);
        assert.deepEqual(eventIdAndProvider(head), { eventId: s.eventId, provider: s.provider });
        compared++;
      }
    }
    assert.ok(compared > 5000);
  });

  it("defender.evtx cut short at a sample of offsets: the same records", () => {
    const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, "evtx", "defender.evtx")));
    for (let n = 4096; n < bytes.length; n += 2039) assertSameRecords(bytes.subarray(0, n), `cut at ${n}`);
  });

  it("200 seeded mutations of a chunk: the same records", () => {
    const base = new Uint8Array(readFileSync(path.join(FIXTURES, "evtx", "defender.evtx"))).subarray(
      0,
      4096 + 65536,
    );
    const next = seededUint32(0xf117);
    for (let i = 0; i < 200; i++) {
      const m = base.slice();
      const edits = 1 + (next() % 16);
      for (let k = 0; k < edits; k++) {
        const at = 4096 + 512 + (next() % 65024);
        m[at] = next() % 3 === 0 ? [0x00, 0xff, 0x0c, 0x41, 0x21, 0x01, 0x0e][next() % 7]! : next() & 0xff;
      }
      assertSameRecords(m, `mutation ${i}`);
    }
  });
});

/**
 * A chunk-relative BinXml encoder for layouts the fixture writer never makes: names are written
 * inline where used, a template definition inline in its instance.
 */
class BinXmlOut {
  readonly bytes = new Uint8Array(65536);
  readonly #view = new DataView(this.bytes.buffer);
  p = 512;

  u8(v: number): this {
    this.bytes[this.p++] = v;
    return this;
  }
  u16(v: number): this {
    this.#view.setUint16(this.p, v, true);
    this.p += 2;
    return this;
  }
  u32(v: number): this {
    this.#view.setUint32(this.p, v, true);
    this.p += 4;
    return this;
  }
  utf16(s: string): this {
    for (const c of s) this.u16(c.charCodeAt(0));
    return this;
  }
  /** A name reference with the name inline after it. */
  name(n: string): this {
    this.u32(this.p + 4)
      .u32(0)
      .u16(0)
      .u16(n.length)
      .utf16(n)
      .u16(0);
    return this;
  }
  /** `<n>` … `</n>`, or `<n/>` without content. */
  element(n: string, content?: () => void): this {
    this.u8(0x01).u16(0xffff).u32(0).name(n);
    if (!content) return this.u8(0x03);
    this.u8(0x02);
    content();
    return this.u8(0x04);
  }
  text(s: string): this {
    return this.u8(0x05).u8(0x01).u16(s.length).utf16(s);
  }
  slot(index: number, type: number): this {
    return this.u8(0x0d).u16(index).u8(type);
  }
  /**
   * A template instance with its definition inline, and its values: (type, bytes), or a BinXml
   * fragment (type 0x21) written in place by a function, since its names are chunk offsets.
   */
  instance(definition: () => void, values: Array<[number, Uint8Array | (() => void)]>): this {
    this.u8(0x0c)
      .u8(0x01)
      .u32(0x1234)
      .u32(this.p + 4);
    this.u32(0).u32(1).u32(2).u32(3).u32(4);
    const sizeAt = this.p;
    this.u32(0);
    this.u8(0x0f).u8(0x01).u8(0x01).u8(0x00);
    definition();
    this.u8(0x00);
    this.#view.setUint32(sizeAt, this.p - sizeAt - 4, true);
    this.u32(values.length);
    const descriptors = this.p;
    for (const [type] of values) this.u16(0).u8(type).u8(0);
    values.forEach(([, v], i) => {
      const start = this.p;
      if (typeof v === "function") {
        this.u8(0x0f).u8(0x01).u8(0x01).u8(0x00);
        v();
        this.u8(0x00);
      } else {
        this.bytes.set(v, this.p);
        this.p += v.length;
      }
      this.#view.setUint16(descriptors + 4 * i, this.p - start, true);
    });
    return this;
  }
}

const utf16 = (s: string) => new Uint8Array(Buffer.from(s, "utf16le"));

/** A chunk holding one record whose body `body` writes; returns the chunk's bytes. */
function chunkWithRecord(body: (o: BinXmlOut) => void): Uint8Array {
  const o = new BinXmlOut();
  o.bytes.set(new TextEncoder().encode("ElfChnk\0"), 0);
  o.u32(0x00002a2a);
  const sizeAt = o.p;
  o.u32(0).u32(7).u32(0).u32(0).u32(0);
  o.u8(0x0f).u8(0x01).u8(0x01).u8(0x00);
  body(o);
  o.u8(0x00);
  while ((o.p - 512 + 4) % 8 !== 0) o.u8(0);
  const size = o.p - 512 + 4;
  o.u32(size);
  new DataView(o.bytes.buffer).setUint32(sizeAt, size, true);
  new DataView(o.bytes.buffer).setUint32(48, o.p, true);
  return o.bytes;
}

/** Reads the one record of `chunk` with `filter`: what comes out, and its event id as rendered. */
function readOne(chunk: Uint8Array, filter: EvtxRecordFilter): Array<number | null> {
  return [...readChunk(chunk, 4096, 0, new AnomalyLog(), filter)].map((r) => summarizeRecord(r).eventId);
}

describe("evtx record filter: layouts it cannot judge are rendered, then judged by the caller", () => {
  const nothing: EvtxRecordFilter = () => false;

  it("the common layout (a template with System/EventID): refused unrendered", () => {
    const chunk = chunkWithRecord((o) =>
      o.instance(
        () =>
          o.element("Event", () => o.element("System", () => o.element("EventID", () => o.slot(0, 0x01)))),
        [[0x01, utf16("1000")]],
      ),
    );
    assert.deepEqual(
      readOne(chunk, () => true),
      [1000],
    );
    assert.deepEqual(readOne(chunk, nothing), []);
  });

  it("a record with no template: rendered", () => {
    const chunk = chunkWithRecord((o) =>
      o.element("Event", () => o.element("System", () => o.element("EventID", () => o.text("1000")))),
    );
    assert.deepEqual(readOne(chunk, nothing), [1000]);
  });

  it("System from a substitution: rendered", () => {
    const chunk = chunkWithRecord((o) =>
      o.instance(
        () => o.element("Event", () => o.slot(0, 0x21)),
        [[0x21, () => o.element("System", () => o.element("EventID", () => o.text("1001")))]],
      ),
    );
    assert.deepEqual(readOne(chunk, nothing), [1001]);
  });

  it("a substitution before EventID that renders an EventID first: rendered, with that first id", () => {
    const chunk = chunkWithRecord((o) =>
      o.instance(
        () =>
          o.element("Event", () =>
            o.element("System", () => {
              o.slot(0, 0x21);
              o.element("EventID", () => o.text("1000"));
            }),
          ),
        [[0x21, () => o.element("EventID", () => o.text("7"))]],
      ),
    );
    assert.deepEqual(readOne(chunk, nothing), [7]);
    // A filter that wants 7 but not 1000 gets the record, as a full reading sees it.
    assert.deepEqual(
      readOne(chunk, (h) => h.eventId === 7),
      [7],
    );
  });

  it("a root element before Event from a substitution: rendered", () => {
    const chunk = chunkWithRecord((o) =>
      o.instance(() => {
        o.slot(0, 0x21);
        o.element("Event", () => o.element("System", () => o.element("EventID", () => o.text("1000"))));
      }, [[0x21, () => o.element("Other")]]),
    );
    assert.equal(readOne(chunk, nothing).length, 1);
  });

  it("a record whose System has no EventID and nothing that could render one: refused", () => {
    const chunk = chunkWithRecord((o) =>
      o.instance(() => o.element("Event", () => o.element("System", () => o.element("Level"))), []),
    );
    assert.deepEqual(
      readOne(chunk, () => true),
      [null],
    );
    assert.deepEqual(
      readOne(chunk, (h) => h.eventId !== null),
      [],
    );
  });
});

describe("evtx reader: anomalies discarded", () => {
  it("a log that discards anomalies keeps none, and the records read are the same (damaged.evtx, bad CRCs)", () => {
    const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, "evtx", "damaged.evtx")));
    const kept = new AnomalyLog();
    const dropped = new AnomalyLog({ discard: true });
    const withAnomalies = [...iterateEvtx(bytes, kept)];
    assert.ok(kept.list.some((a) => a.code === "bad-crc"));
    assert.deepEqual([...iterateEvtx(bytes, dropped)], withAnomalies);
    assert.deepEqual(dropped.list, []);
  });

  it("crc32 gives the same value by table and natively, at every length around the switch, continued too", () => {
    const next = seededUint32(0xc3c3);
    const bytes = Uint8Array.from({ length: 9000 }, () => next() & 0xff);
    /** The reference: one byte at a time through the table path. */
    const byBytes = (b: Uint8Array) => b.reduce((c, _, i) => crc32(b.subarray(i, i + 1), c), 0);
    for (const n of [0, 1, 4095, 4096, 4097, 8999]) {
      const b = bytes.subarray(0, n);
      assert.equal(crc32(b), byBytes(b), `length ${n}`);
      assert.equal(
        crc32(b.subarray(n >> 1), crc32(b.subarray(0, n >> 1))),
        crc32(b),
        `length ${n} in two parts`,
      );
    }
  });
});
