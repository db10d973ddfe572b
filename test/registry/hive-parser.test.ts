/**
 * Unit tests of the regf hive parser on hives built by our writer and then patched byte by byte:
 * each cell kind, big data, ri, UTF-16 names, dirty hive, bad checksum, and the exact error codes
 * and offsets of damaged structures.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BIG_DATA_SEGMENT_SIZE,
  KEY_COMP_NAME,
  RegistryError,
  computeBaseBlockChecksum,
  defaultSecurityDescriptor,
  encodeRegDword,
  encodeRegMultiString,
  encodeRegQword,
  encodeRegString,
  lhHash,
  openHive,
  walkHive,
  writeEmptyHive,
  writeHive,
  type RegTreeKey,
} from "../../src/registry/index.js";

const u32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const setU32 = (b: Uint8Array, at: number, v: number): void =>
  new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, true);
const i32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getInt32(at, true);
/** Re-computes the base block checksum after a patch. */
const fixChecksum = (b: Uint8Array): void => setU32(b, 508, computeBaseBlockChecksum(b.subarray(0, 508)));

function key(name: string, subkeys: RegTreeKey[] = [], values: RegTreeKey["values"] = []): RegTreeKey {
  return { name, subkeys, values };
}

/** Expects `fn` to throw a RegistryError with `code` (and `offset`, when given). */
function throwsCode(fn: () => unknown, code: string, offset?: number): RegistryError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof RegistryError, `expected RegistryError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (offset !== undefined) assert.equal(caught.offset, offset, caught.message);
  return caught;
}

describe("empty hive (writer seed)", () => {
  const bytes = writeEmptyHive({ rootName: "ROOT" });
  it("is a base block plus one 4 KiB hbin", () => {
    assert.equal(bytes.length, 8192);
    assert.deepEqual([...bytes.subarray(0, 4)], [0x72, 0x65, 0x67, 0x66]);
    assert.deepEqual([...bytes.subarray(4096, 4100)], [0x68, 0x62, 0x69, 0x6e]);
    assert.equal(u32(bytes, 40), 4096, "hive bins data size");
  });
  it("parses: root nk with flags, sk, valid checksum, not dirty", () => {
    const h = openHive(bytes);
    assert.equal(h.root.name, "ROOT");
    assert.equal(h.root.offset, 0x20);
    assert.equal(h.root.flags & 0x2c, 0x2c);
    assert.ok(h.root.isHiveRoot);
    assert.deepEqual(h.root.subkeys(), []);
    assert.deepEqual(h.root.values(), []);
    assert.equal(h.dirty, false);
    assert.equal(h.baseBlock.checksumValid, true);
    assert.equal(h.baseBlock.majorVersion, 1);
    assert.equal(h.baseBlock.minorVersion, 5);
    const sk = h.root.security();
    assert.ok(sk);
    assert.equal(sk.referenceCount, 1);
    assert.equal(sk.flink, sk.offset);
    assert.deepEqual([...sk.descriptor], [...defaultSecurityDescriptor()]);
    assert.deepEqual(h.anomalies, []);
  });
  it("checksum is the XOR of the first 127 dwords", () => {
    let x = 0;
    for (let i = 0; i < 508; i += 4) x ^= u32(bytes, i);
    assert.equal(u32(bytes, 508), x >>> 0);
  });
});

describe("values of every type", () => {
  const be = new Uint8Array([0x12, 0x34, 0x56, 0x78]);
  const tree = key("ROOT", [
    key(
      "K",
      [],
      [
        { name: "", type: 1, data: encodeRegString("default") },
        { name: "sz", type: 1, data: encodeRegString("text") },
        { name: "exp", type: 2, data: encodeRegString("%TEMP%") },
        { name: "bin", type: 3, data: new Uint8Array([1, 2, 3, 4, 5, 6]) },
        { name: "dw", type: 4, data: encodeRegDword(0x11223344) },
        { name: "dwbe", type: 5, data: be },
        { name: "multi", type: 7, data: encodeRegMultiString(["a", "", "c"]) },
        { name: "qw", type: 11, data: encodeRegQword(0xfedcba9876543210n) },
        { name: "none", type: 0, data: new Uint8Array(0) },
        { name: "odd", type: 0x4321, data: new Uint8Array([9, 8, 7, 6, 5]) },
        { name: "short-dword", type: 4, data: new Uint8Array([1, 2]) },
      ],
    ),
  ]);
  const h = openHive(writeHive(tree));
  const k = h.getKey("k")!;
  const byName = new Map(k.values().map((v) => [v.name, v]));
  it("decodes per RegValue", () => {
    assert.equal(byName.get("")!.value, "default");
    assert.equal(byName.get("sz")!.value, "text");
    assert.equal(byName.get("exp")!.value, "%TEMP%");
    assert.equal(byName.get("bin")!.value, undefined);
    assert.deepEqual([...byName.get("bin")!.data], [1, 2, 3, 4, 5, 6]);
    assert.equal(byName.get("dw")!.value, 0x11223344);
    assert.equal(byName.get("dwbe")!.value, 0x12345678);
    assert.deepEqual(byName.get("multi")!.value, ["a", "", "c"]);
    assert.equal(byName.get("qw")!.value, 0xfedcba9876543210n);
    assert.equal(byName.get("none")!.data.length, 0);
    assert.equal(byName.get("odd")!.type, 0x4321);
    assert.deepEqual([...byName.get("odd")!.data], [9, 8, 7, 6, 5]);
    assert.equal(byName.get("short-dword")!.value, undefined);
  });
  it("stores data of at most 4 bytes resident, larger in a cell", () => {
    const recs = new Map(k.valueRecords().map((v) => [v.name, v]));
    assert.equal(recs.get("dw")!.storage, "resident");
    assert.equal(recs.get("none")!.storage, "empty");
    assert.equal(recs.get("bin")!.storage, "cell");
  });
  it("value() is case-insensitive and keeps stored order in values()", () => {
    assert.equal(k.value("SZ")!.value, "text");
    assert.deepEqual(
      k.values().map((v) => v.name),
      ["", "sz", "exp", "bin", "dw", "dwbe", "multi", "qw", "none", "odd", "short-dword"],
    );
  });
});

describe("names", () => {
  const tree = key("ROOT", [
    key("Ключ", [], [{ name: "Wert-Ü", type: 1, data: encodeRegString("Grüße") }]),
    key("ascii"),
  ]);
  const h = openHive(writeHive(tree));
  it("reads UTF-16LE key and value names (flag 0x20 / 0x0001 clear)", () => {
    const k = h.getKey("КЛЮЧ");
    assert.ok(k);
    assert.equal(k.name, "Ключ");
    assert.equal(k.flags & KEY_COMP_NAME, 0);
    const rec = k.valueRecords()[0]!;
    assert.equal(rec.name, "Wert-Ü");
    assert.equal(rec.flags & 1, 0);
    assert.equal(k.values()[0]!.value, "Grüße");
  });
  it("reads compressed (ASCII) names with flag 0x20 set", () => {
    const k = h.getKey("ASCII")!;
    assert.equal(k.name, "ascii");
    assert.equal(k.flags & KEY_COMP_NAME, KEY_COMP_NAME);
  });
  it("getKey: case-insensitive, extra backslashes ignored, missing → undefined", () => {
    assert.equal(h.getKey("\\ascii\\")!.name, "ascii");
    assert.equal(h.getKey("")!.name, "ROOT");
    assert.equal(h.getKey("nope"), undefined);
    assert.equal(h.getKey("ascii\\deeper"), undefined);
  });
  it("keeps lastWritten", () => {
    const when = new Date(Date.UTC(2021, 5, 7, 8, 9, 10, 123));
    const h2 = openHive(
      writeHive({
        name: "R",
        values: [],
        subkeys: [{ name: "a", values: [], subkeys: [], lastWritten: when }],
      }),
    );
    assert.equal(h2.getKey("a")!.lastWritten!.toISOString(), when.toISOString());
  });
});

describe("subkey lists", () => {
  const names = Array.from({ length: 40 }, (_, i) => `Sub${String(39 - i).padStart(2, "0")}`);
  const tree = key("ROOT", [
    key(
      "Many",
      names.map((n) => key(n)),
    ),
  ]);
  const sorted = [...names].sort();
  for (const leafKind of ["lh", "lf", "li"] as const) {
    it(`reads ${leafKind} leaves, sorted by upper-case name`, () => {
      const bytes = writeHive(tree, { leafKind });
      const h = openHive(bytes);
      const many = h.getKey("many")!;
      assert.deepEqual(
        many.subkeys().map((k) => k.name),
        sorted,
      );
      const listRel = u32(bytes, 4096 + many.offset + 4 + 28);
      assert.equal(String.fromCharCode(bytes[4096 + listRel + 4]!, bytes[4096 + listRel + 5]!), leafKind);
    });
  }
  it("writes lh hashes as 37·h + upper-case code unit", () => {
    assert.equal(lhHash("ab"), (65 * 37 + 66) >>> 0);
    assert.equal(lhHash("AB"), lhHash("ab"));
  });
  it("reads an ri index over leaves (riThreshold 8 → five lh leaves)", () => {
    const bytes = writeHive(tree, { riThreshold: 8 });
    const h = openHive(bytes);
    const many = h.getKey("Many")!;
    const listRel = u32(bytes, 4096 + many.offset + 4 + 28);
    assert.equal(String.fromCharCode(bytes[4096 + listRel + 4]!, bytes[4096 + listRel + 5]!), "ri");
    assert.equal(bytes[4096 + listRel + 6], 5);
    assert.deepEqual(
      many.subkeys().map((k) => k.name),
      sorted,
    );
    assert.equal(h.getKey("many\\SUB07")!.name, "Sub07");
  });
  it("an ri listing the same leaf twice is a cycle", () => {
    const bytes = writeHive(tree, { riThreshold: 8 });
    const h0 = openHive(bytes);
    const listRel = u32(bytes, 4096 + h0.getKey("Many")!.offset + 4 + 28);
    const ri = 4096 + listRel + 4;
    setU32(bytes, ri + 8, u32(bytes, ri + 4)); // second leaf := first leaf
    const h = openHive(bytes);
    throwsCode(() => h.getKey("Many")!.subkeys(), "cycle", 4096 + u32(bytes, ri + 4));
    const p = openHive(bytes, { mode: "permissive" });
    assert.deepEqual(p.getKey("Many")!.subkeys(), []);
    assert.equal(p.anomalies[0]!.code, "cycle");
  });
  it("an ri pointing at itself is a cycle, not a hang", () => {
    const bytes = writeHive(tree, { riThreshold: 8 });
    const h0 = openHive(bytes);
    const listRel = u32(bytes, 4096 + h0.getKey("Many")!.offset + 4 + 28);
    setU32(bytes, 4096 + listRel + 8, listRel);
    throwsCode(() => openHive(bytes).getKey("Many")!.subkeys(), "cycle", 4096 + listRel);
  });
  it("a key listing its own parent is a cycle for walkHive", () => {
    const bytes = writeHive(key("ROOT", [key("A")]));
    const h0 = openHive(bytes);
    const a = h0.getKey("A")!;
    // A's subkey list := the root's subkey list (which lists A) → A contains A.
    const rootList = u32(bytes, 4096 + h0.root.offset + 4 + 28);
    setU32(bytes, 4096 + a.offset + 4 + 28, rootList);
    setU32(bytes, 4096 + a.offset + 4 + 20, 1);
    const h = openHive(bytes);
    throwsCode(() => walkHive(h, () => {}), "cycle", 4096 + a.offset);
    const p = openHive(bytes, { mode: "permissive" });
    let n = 0;
    walkHive(p, () => n++);
    assert.equal(n, 2);
    assert.equal(p.anomalies[0]!.code, "cycle");
  });
  it("caps the subkey count (count-over-limit)", () => {
    const h = openHive(writeHive(tree), { limits: { maxSubkeys: 10 } });
    throwsCode(() => h.getKey("Many")!.subkeys(), "count-over-limit");
  });
  it("a subkey count that disagrees with the list is bad-cell (strict) / anomaly (permissive)", () => {
    const bytes = writeHive(tree);
    const many = openHive(bytes).getKey("Many")!;
    setU32(bytes, 4096 + many.offset + 4 + 20, 41);
    throwsCode(() => openHive(bytes).getKey("Many")!.subkeys(), "bad-cell", 4096 + many.offset);
    const p = openHive(bytes, { mode: "permissive" });
    assert.equal(p.getKey("Many")!.subkeys().length, 40);
    assert.equal(p.anomalies[0]!.code, "bad-cell");
  });
});

describe("big data (db)", () => {
  const mk = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 13 + (i >> 9)) & 0xff);
  const sizes = [BIG_DATA_SEGMENT_SIZE, BIG_DATA_SEGMENT_SIZE + 1, 40000, 3 * BIG_DATA_SEGMENT_SIZE];
  const tree = key("ROOT", [
    key(
      "Big",
      [],
      sizes.map((n) => ({ name: `v${n}`, type: 3, data: mk(n) })),
    ),
  ]);
  const bytes = writeHive(tree);
  const h = openHive(bytes);
  it("reads values up to 16344 bytes from a cell, larger ones from db segments", () => {
    const recs = new Map(
      h
        .getKey("Big")!
        .valueRecords()
        .map((v) => [v.name, v]),
    );
    for (const n of sizes) {
      const r = recs.get(`v${n}`)!;
      assert.equal(r.storage, n > BIG_DATA_SEGMENT_SIZE ? "big-data" : "cell", `v${n}`);
      assert.equal(r.data.length, n);
      assert.deepEqual(Buffer.from(r.data).equals(Buffer.from(mk(n))), true);
    }
  });
  it("a db with too few segments is bad-value", () => {
    const b = bytes.slice();
    const rec = openHive(b)
      .getKey("Big")!
      .valueRecords()
      .find((v) => v.name === "v40000")!;
    const vk = 4096 + rec.offset + 4;
    const db = 4096 + u32(b, vk + 8);
    assert.equal(String.fromCharCode(b[db + 4]!, b[db + 5]!), "db");
    b[db + 6] = 2; // 3 segments needed
    const err = throwsCode(() => openHive(b).getKey("Big")!.valueRecords(), "bad-value", db);
    assert.equal(err.path, "Big");
    const p = openHive(b, { mode: "permissive" });
    assert.equal(p.getKey("Big")!.valueRecords().length, sizes.length - 1);
  });
  it("caps the value data size", () => {
    throwsCode(
      () =>
        openHive(bytes, { limits: { maxValueDataBytes: 20000 } })
          .getKey("Big")!
          .values(),
      "count-over-limit",
    );
  });
});

describe("base block", () => {
  it("dirty when the sequence numbers differ", () => {
    const h = openHive(writeHive(key("R"), { sequence: 7, secondarySequence: 6 }));
    assert.equal(h.dirty, true);
    assert.equal(h.baseBlock.primarySequence, 7);
    assert.equal(h.baseBlock.secondarySequence, 6);
  });
  it("bad checksum: strict throws bad-checksum at 508; permissive records it", () => {
    const b = writeEmptyHive();
    b[100] = b[100]! ^ 0x5a;
    const err = throwsCode(() => openHive(b), "bad-checksum", 508);
    assert.equal(err.structure, "base block");
    const p = openHive(b, { mode: "permissive" });
    assert.equal(p.baseBlock.checksumValid, false);
    assert.deepEqual(
      p.anomalies.map((a) => [a.code, a.offset]),
      [["bad-checksum", 508]],
    );
  });
  it("bad signature at 0", () => {
    const b = writeEmptyHive();
    b[3] = 0x78;
    throwsCode(() => openHive(b), "bad-signature", 0);
  });
  it("truncated base block", () => {
    throwsCode(() => openHive(writeEmptyHive().subarray(0, 100)), "truncated", 0);
    throwsCode(() => openHive(new Uint8Array(0)), "truncated", 0);
  });
  it("hive bins shorter than declared: truncated at offset 40 (strict)", () => {
    const b = writeEmptyHive().subarray(0, 4096 + 2048);
    throwsCode(() => openHive(b), "truncated", 40);
    const p = openHive(b, { mode: "permissive" });
    assert.equal(p.root.name, "ROOT");
    assert.deepEqual(
      p.anomalies.map((a) => a.code),
      ["truncated", "truncated"],
    );
  });
  it("bad hbin signature", () => {
    const b = writeEmptyHive();
    b[4096] = 0;
    fixChecksum(b);
    throwsCode(() => openHive(b), "bad-signature", 4096);
  });
});

describe("cells", () => {
  const tree = key("ROOT", [key("A", [key("B")], [{ name: "v", type: 3, data: new Uint8Array(8) }])]);
  it("a misaligned subkey-list offset is bad-cell at its file offset", () => {
    const b = writeHive(tree);
    const h0 = openHive(b);
    setU32(b, 4096 + h0.root.offset + 4 + 28, 0x1234 + 1);
    throwsCode(() => openHive(b).root.subkeys(), "bad-cell", 4096 + 0x1235);
    const p = openHive(b, { mode: "permissive" });
    assert.deepEqual(p.root.subkeys(), []);
    assert.equal(p.anomalies[0]!.offset, 4096 + 0x1235);
  });
  it("an offset outside the hive bins is bad-cell", () => {
    const b = writeHive(tree);
    const root = openHive(b).root;
    setU32(b, 4096 + root.offset + 4 + 28, 0x100000);
    throwsCode(() => openHive(b).root.subkeys(), "bad-cell", 4096 + 0x100000);
  });
  it("an unallocated (positive size) cell: strict bad-cell, permissive anomaly and read", () => {
    const b = writeHive(tree);
    const a = openHive(b).getKey("A")!;
    const at = 4096 + a.offset;
    assert.ok(i32(b, at) < 0);
    new DataView(b.buffer).setInt32(at, -i32(b, at), true);
    throwsCode(() => openHive(b).getKey("A"), "bad-cell", at);
    const p = openHive(b, { mode: "permissive" });
    assert.equal(p.getKey("A")!.name, "A");
    assert.equal(p.anomalies[0]!.code, "bad-cell");
  });
  it("a cell size running past its hbin is bad-cell", () => {
    const b = writeHive(tree);
    const a = openHive(b).getKey("A")!;
    new DataView(b.buffer).setInt32(4096 + a.offset, -0x4000, true);
    throwsCode(() => openHive(b).getKey("A"), "bad-cell", 4096 + a.offset);
  });
  it("a wrong nk signature is bad-signature", () => {
    const b = writeHive(tree);
    const a = openHive(b).getKey("A")!;
    b[4096 + a.offset + 4] = 0x78;
    throwsCode(() => openHive(b).getKey("A"), "bad-signature", 4096 + a.offset);
  });
  it("a key name longer than its cell is truncated", () => {
    const b = writeHive(tree);
    const a = openHive(b).getKey("A")!;
    b[4096 + a.offset + 4 + 72] = 200;
    throwsCode(() => openHive(b).getKey("A"), "truncated", 4096 + a.offset);
  });
  it("caps key name length", () => {
    throwsCode(
      () =>
        openHive(writeHive(key("R", [key("LongName")])), { limits: { maxKeyNameBytes: 4 } }).root.subkeys(),
      "count-over-limit",
    );
  });
  it("caps the value count", () => {
    const b = writeHive(tree);
    const a = openHive(b).getKey("A")!;
    setU32(b, 4096 + a.offset + 4 + 36, 70000);
    throwsCode(() => openHive(b).getKey("A")!.values(), "count-over-limit");
  });
  it("caps total cells visited", () => {
    const h = openHive(writeHive(tree), { limits: { maxCellsVisited: 3 } });
    throwsCode(() => walkHive(h, ({ key: k }) => k.values()), "count-over-limit");
  });
  it("resident data longer than 4 bytes: bad-value (strict), clamped (permissive)", () => {
    const b = writeHive(key("R", [], [{ name: "d", type: 4, data: encodeRegDword(5) }]));
    const rec = openHive(b).root.valueRecords()[0]!;
    setU32(b, 4096 + rec.offset + 4 + 4, 0x80000008);
    throwsCode(() => openHive(b).root.values(), "bad-value", 4096 + rec.offset);
    const p = openHive(b, { mode: "permissive" });
    assert.equal(p.root.values()[0]!.value, 5);
  });
});
