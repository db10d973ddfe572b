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
