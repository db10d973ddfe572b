/**
 * Limits of the EVTX reader on hand-crafted chunks: element nesting, template cycles, node
 * budget against exponential BinXml expansion, and a substitution count above the cap. Each must
 * become a typed anomaly on its record, never a stack overflow, a hang or a crash.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crc32, readEvtx } from "../../src/evtx/index.js";
import { evtxLimits } from "../../src/evtx/index.js";
import { sealChunk, writeEvtx } from "../helpers/evtx-writer.js";

const NAME_AT = 60000;

class Out {
  bytes: number[] = [];
  u8(...v: number[]) {
    for (const x of v) this.bytes.push(x & 0xff);
    return this;
  }
  u16(v: number) {
    return this.u8(v, v >>> 8);
  }
  u32(v: number) {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  raw(b: number[]) {
    this.bytes.push(...b);
    return this;
  }
}

/**
 * A one-chunk log whose only record has `body` as its BinXml (written at chunk offset 536), with
 * `extra` byte runs placed at chunk offsets, and a name "a" at {@link NAME_AT}.
 */
function craftedLog(body: number[], extra: [number, number[]][] = []): Uint8Array {
  const header = writeEvtx([]).bytes; // the file header of an empty log
  const file = new Uint8Array(4096 + 65536);
  file.set(header.subarray(0, 4096));
  const view = new DataView(file.buffer);
  view.setUint16(42, 1, true); // one chunk
  view.setUint32(124, crc32(file.subarray(0, 120)), true);
  const chunk = file.subarray(4096);
  const c = new DataView(chunk.buffer, chunk.byteOffset, 65536);
  chunk.set(new TextEncoder().encode("ElfChnk\0"));
  const size = 24 + body.length + 4;
  const record = new Out().u32(0x2a2a).u32(size).u32(1).u32(0).u32(0).u32(0).raw(body).u32(size).bytes;
  chunk.set(record, 512);
  c.setUint32(40, 128, true);
  c.setUint32(44, 512, true);
  c.setUint32(48, 512 + size, true);
  chunk.set(new Out().u32(0).u16(0).u16(1).u16(0x61).u16(0).bytes, NAME_AT);
  for (const [at, bytes] of extra) chunk.set(bytes, at);
  sealChunk(chunk);
  return file;
}

const fragmentHeader = [0x0f, 0x01, 0x01, 0x00];

/** A template definition at a chunk offset: next-definition offset 0, a zero GUID, size, `data`. */
function templateDefinition(data: number[]): number[] {
  return new Out().u32(0).raw(new Array<number>(16).fill(0)).u32(data.length).raw(data).bytes;
}

/** The template data `<a>{substitution 0, of value type `type`}</a>`, element name "a" at {@link NAME_AT}. */
function oneSlotElement(type: number): number[] {
  return new Out()
    .raw(fragmentHeader)
    .u8(0x01)
    .u16(0xffff)
    .u32(0)
    .u32(NAME_AT)
    .u8(0x02)
    .u8(0x0d)
    .u16(0)
    .u8(type)
    .u8(0x04, 0x00).bytes;
}

function only(bytes: Uint8Array) {
  const log = readEvtx(bytes);
  assert.equal(log.records.length, 0);
  assert.equal(log.anomalies.length, 1, JSON.stringify(log.anomalies));
  return log.anomalies[0]!;
}

describe("evtx limits", () => {
  it("elements nested deeper than MAX_ELEMENT_DEPTH: depth-over-limit", () => {
    const body = new Out().raw(fragmentHeader);
    for (let i = 0; i < 200; i++) body.u8(0x01).u16(0xffff).u32(0).u32(NAME_AT).u8(0x02);
    const a = only(craftedLog(body.bytes));
    assert.equal(a.code, "depth-over-limit");
    assert.ok(a.offset > 4096 + 536);
  });

  it("a template definition that instantiates itself: cycle", () => {
    const D = 2048;
    const definitionData = new Out().raw(fragmentHeader).u8(0x0c, 0x01).u32(7).u32(D).u32(0).u8(0x00).bytes;
    const definition = templateDefinition(definitionData);
    const body = new Out().raw(fragmentHeader).u8(0x0c, 0x01).u32(7).u32(D).u32(0).u8(0x00).bytes;
    assert.equal(only(craftedLog(body, [[D, definition]])).code, "cycle");
  });

  it("BinXml values referenced 400 times per level, 4 levels deep (400^4 nodes unbounded): count-over-limit", () => {
    const D = 2048;
    // Template: <a> then 400 references to slot 0 (BinXml) </a>
    const t = new Out().raw(fragmentHeader).u8(0x01).u16(0xffff).u32(0).u32(NAME_AT).u8(0x02);
    for (let i = 0; i < 400; i++) t.u8(0x0d).u16(0).u8(0x21);
    t.u8(0x04, 0x00);
    const definition = templateDefinition(t.bytes);
    const instance = (value: number[], type: number) =>
      new Out()
        .raw(fragmentHeader)
        .u8(0x0c, 0x01)
        .u32(9)
        .u32(D)
        .u32(1)
        .u16(value.length)
        .u8(type, 0)
        .raw(value).bytes;
    let value = [0x78, 0x00];
    let type = 0x01;
    for (let level = 0; level < 4; level++) {
      value = instance(value, type);
      type = 0x21;
    }
    const a = only(craftedLog(value.slice(), [[D, definition]]));
    assert.equal(a.code, "count-over-limit");
    assert.equal(a.offset, 4096 + 512 + 24);
  });

  it("a substitution count above MAX_SUBSTITUTIONS: count-over-limit", () => {
    const D = 2048;
    const t = new Out().raw(fragmentHeader).u8(0x01).u16(0xffff).u32(0).u32(NAME_AT).u8(0x03, 0x00).bytes;
    const definition = templateDefinition(t);
    const body = new Out()
      .raw(fragmentHeader)
      .u8(0x0c, 0x01)
      .u32(9)
      .u32(D)
      .u32(evtxLimits.MAX_SUBSTITUTIONS + 1).bytes;
    assert.equal(only(craftedLog(body, [[D, definition]])).code, "count-over-limit");
  });

  it("the crafted record reads when sound (the helper itself is right)", () => {
    const D = 2048;
    const definition = templateDefinition(oneSlotElement(0x01));
    const body = new Out()
      .raw(fragmentHeader)
      .u8(0x0c, 0x01)
      .u32(9)
      .u32(D)
      .u32(1)
      .u16(4)
      .u8(0x01, 0)
      .u16(0x68)
      .u16(0x69)
      .u8(0x00).bytes;
    const log = readEvtx(craftedLog(body, [[D, definition]]));
    assert.deepEqual(log.anomalies, []);
    assert.deepEqual(log.records[0]?.event, { name: "a", attributes: [], children: ["hi"] });
  });
});

describe("evtx: nested fragments that never parse are read a bounded number of times", () => {
  /**
   * One record of `levels` nested template instances of `<a>{BinXml value}</a>`, the innermost
   * value a fragment of `leafTokens` empty text tokens then a bad token: unreadable with or
   * without dependency identifiers, so every level tries both readings.
   */
  function nestedLog(levels: number, leafTokens: number): Uint8Array {
    const D = 40000;
    const definition = templateDefinition(oneSlotElement(0x21));
    const instance = (value: number[]) =>
      new Out()
        .raw(fragmentHeader)
        .u8(0x0c, 0x01)
        .u32(9)
        .u32(D)
        .u32(1)
        .u16(value.length)
        .u8(0x21, 0)
        .raw(value).bytes;
    const leaf = new Out().raw(fragmentHeader);
    for (let i = 0; i < leafTokens; i++) leaf.u8(0x05, 0x01).u16(0);
    leaf.u8(0xff);
    let value = leaf.bytes;
    for (let level = 0; level < levels; level++) value = instance(value);
    return craftedLog(value, [[D, definition]]);
  }

  it("costs about the same at 14 levels as at 7 (each extra level doubled it: 2^levels readings)", () => {
    const cpu = (bytes: Uint8Array) => {
      const t0 = process.cpuUsage();
      const a = only(bytes);
      const t = process.cpuUsage(t0);
      assert.equal(a.code, "bad-token", JSON.stringify(a));
      return Math.max(1, t.user + t.system);
    };
    const shallow = nestedLog(7, 2000);
    const deep = nestedLog(14, 2000);
    cpu(shallow);
    cpu(deep);
    const low = Math.min(cpu(shallow), cpu(shallow), cpu(shallow));
    const high = Math.min(cpu(deep), cpu(deep), cpu(deep));
    // Twice the levels, nearly the same bytes: a bounded reading costs at most a few times more;
    // the doubling one cost 2^7 = 128 times more.
    assert.ok(high / low < 16, `14 levels: ${high} µs, 7 levels: ${low} µs`);
  });
});
