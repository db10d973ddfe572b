/**
 * RvaMapper: headers region, section raw data vs zero-filled tail (VirtualSize > SizeOfRawData),
 * SizeOfRawData > VirtualSize (only the aligned virtual span is mapped), PointerToRawData rounded
 * down to 512, unmapped RVAs, and RVAs whose file offset is past EOF. Plus two loader rules of
 * parsePe: a zero-RVA directory is ignored, an import descriptor with Name 0 ends the table.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PeFormatError, RvaMapper, parsePe, type SectionHeader } from "../../src/pe/index.js";
import { buildKitchenSinkPe } from "./helpers/build-pe.js";

function section(
  virtualAddress: number,
  virtualSize: number,
  pointerToRawData: number,
  sizeOfRawData: number,
): SectionHeader {
  return {
    name: "s",
    virtualAddress,
    virtualSize,
    pointerToRawData,
    sizeOfRawData,
    rawDataOffset: pointerToRawData - (pointerToRawData % 512),
    characteristics: 0,
    entropy: 0,
    executable: false,
    writable: false,
    headerOffset: 0,
  };
}

describe("RvaMapper", () => {
  const fileSize = 0x3000;
  const mapper = new RvaMapper(
    [
      section(0x1000, 0x2000, 0x400, 0x200), // VirtualSize > SizeOfRawData: tail is zero-fill
      section(0x3000, 0x100, 0x600, 0x1000), // SizeOfRawData > VirtualSize: span is one page
      section(0x5000, 0x100, 0x2a10, 0x200), // pointer rounded down to 0x2a00
      section(0x6000, 0x100, 0x4000, 0x200), // raw data past EOF
    ],
    0x400,
    0x1000,
    fileSize,
  );

  it("maps the headers identically up to SizeOfHeaders", () => {
    assert.deepEqual(mapper.resolve(0x3c), { offset: 0x3c, available: 0x400 - 0x3c });
    assert.equal(mapper.resolve(0x400), undefined);
  });

  it("maps section raw data and stops at SizeOfRawData", () => {
    assert.deepEqual(mapper.resolve(0x1010), { offset: 0x410, available: 0x1f0 });
    assert.equal(mapper.resolve(0x1200), undefined, "zero-filled, no file offset");
  });

  it("maps only the aligned virtual span when SizeOfRawData is larger", () => {
    assert.deepEqual(mapper.resolve(0x3ff0), { offset: 0x600 + 0xff0, available: 0x10 });
    assert.equal(mapper.resolve(0x4000), undefined);
  });

  it("rounds PointerToRawData down to 512 like the loader", () => {
    assert.equal(mapper.toOffset(0x5000), 0x2a00);
  });

  it("reports RVAs whose data is past EOF or in no section", () => {
    assert.equal(mapper.resolve(0x6000), undefined);
    assert.equal(mapper.resolve(0x9000), undefined);
    assert.equal(mapper.resolve(-1), undefined);
  });

  it("require() throws rva-unmapped with the field offset, truncated when too short", () => {
    assert.throws(
      () => mapper.require(0x9000, 4, "X", 0x123),
      (e: unknown) => e instanceof PeFormatError && e.code === "rva-unmapped" && e.offset === 0x123,
    );
    assert.throws(
      () => mapper.require(0x11f0, 0x20, "X"),
      (e: unknown) => e instanceof PeFormatError && e.code === "truncated" && e.offset === 0x5f0,
    );
    assert.equal(mapper.require(0x11f0, 0x10, "X"), 0x5f0);
  });
});

describe("loader rules in parsePe", () => {
  const built = buildKitchenSinkPe("PE32+");

  it("ignores a data directory whose VirtualAddress is 0 (with a note)", () => {
    const bad = built.bytes.slice();
    new DataView(bad.buffer).setUint32(built.layout.directoryEntry(1), 0, true);
    const pe = parsePe(bad, { mode: "strict" });
    assert.equal(pe.imports.filter((m) => !m.delayLoad).length, 0);
    assert.ok(
      pe.anomalies.some(
        (a) => a.code === "data-directory-rva-zero" && a.offset === built.layout.directoryEntry(1),
      ),
    );
  });

  it("ends the import table at a descriptor whose Name is 0", () => {
    const bad = built.bytes.slice();
    const second = built.layout.importDescriptors! + 20;
    new DataView(bad.buffer).setUint32(second + 12, 0, true);
    const pe = parsePe(bad, { mode: "strict" });
    assert.deepEqual(
      pe.imports.filter((m) => !m.delayLoad).map((m) => m.dll),
      ["KERNEL32.dll"],
    );
    assert.ok(pe.anomalies.some((a) => a.code === "import-descriptor-ends-table" && a.offset === second));
  });
});

describe("RvaMapper with many sections (Vista and later load up to 65,535)", () => {
  /** The look-up the mapper makes for a few sections: the first region in table order wins. */
  function linear(sections: SectionHeader[], alignment: number, fileSize: number, rva: number) {
    for (const s of sections) {
      const span = Math.ceil((s.virtualSize || s.sizeOfRawData) / alignment) * alignment;
      if (rva < s.virtualAddress || rva >= s.virtualAddress + span) continue;
      const delta = rva - s.virtualAddress;
      const raw = s.sizeOfRawData === 0 ? 0 : Math.min(s.sizeOfRawData, span);
      if (delta >= raw) return undefined;
      const offset = s.rawDataOffset! + delta;
      if (offset >= fileSize) return undefined;
      return { offset, available: Math.min(raw - delta, fileSize - offset) };
    }
    return rva < 0x400 ? { offset: rva, available: 0x400 - rva } : undefined;
  }

  it("gives the first-in-table answer for overlapping, empty and disjoint sections alike", async () => {
    const { seededUint32 } = await import("../helpers/prng.js");
    const next = seededUint32(12);
    for (let round = 0; round < 20; round++) {
      const sections = Array.from({ length: 17 + (next() % 300) }, () =>
        section(
          (next() % 64) * 0x1000,
          next() % 4 === 0 ? 0 : (next() % 0x8000) + 1,
          (next() % 64) * 0x200,
          next() % 3 === 0 ? 0 : (next() % 0x4000) + 1,
        ),
      );
      const fileSize = 0x6000 + (next() % 0x4000);
      const mapper = new RvaMapper(sections, 0x400, 0x1000, fileSize);
      for (let i = 0; i < 2000; i++) {
        const rva = next() % 0x48000;
        assert.deepEqual(
          mapper.resolve(rva),
          linear(sections, 0x1000, fileSize, rva),
          `round ${round}, rva 0x${rva.toString(16)}`,
        );
      }
    }
  });

  it("maps an RVA in the 97th section (the import table of a 65,535-section image, say)", () => {
    const sections = Array.from({ length: 200 }, (_, i) =>
      section(0x1000 * (i + 1), 0x1000, 0x400 + 0x200 * i, 0x200),
    );
    const mapper = new RvaMapper(sections, 0x400, 0x1000, 0x400 + 0x200 * 200);
    assert.deepEqual(mapper.resolve(0x1000 * 150 + 0x10), {
      offset: 0x400 + 0x200 * 149 + 0x10,
      available: 0x1f0,
    });
  });

  it("builds its index in time linear in the number of sections, give or take the sort", () => {
    const tables = (n: number) =>
      Array.from({ length: n }, (_, i) => section(0x1000 * (i + 1), 0x1000, 0x400, 0x200));
    const small = tables(4000);
    const large = tables(64000);
    /** CPU µs to build `times` mappers over `sections` and look up each section once. */
    const cost = (sections: SectionHeader[], times: number) => {
      const t0 = process.cpuUsage();
      for (let k = 0; k < times; k++) {
        const mapper = new RvaMapper(sections, 0x400, 0x1000, 0x10000);
        for (let i = 0; i < sections.length; i++) mapper.resolve(0x1000 * (i + 1));
      }
      const t = process.cpuUsage(t0);
      return Math.max(1, t.user + t.system);
    };
    cost(small, 2);
    cost(large, 1);
    // The same 64,000 sections in all: as 16 tables of 4,000 and as one of 64,000. An O(n log n)
    // index costs about 1.3x more for the one table; a linear look-up per RVA would cost 16x.
    const many = Math.min(cost(small, 16), cost(small, 16));
    const one = Math.min(cost(large, 1), cost(large, 1));
    assert.ok(one / many < 6, `one table of 64,000: ${one} µs; 16 of 4,000: ${many} µs`);
  });
});
