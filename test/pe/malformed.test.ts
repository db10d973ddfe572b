/**
 * Malformed inputs: every fatal PeFormatError code with its exact offset, and the problems that
 * permissive mode records (and strict mode throws): section count over the loader limit,
 * resource cycle, absurd export counts, unmapped RVAs, a certificate table outside the file,
 * a bad VS_VERSIONINFO, a WIN_CERTIFICATE with dwLength < 8.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  MAX_EXPORTS,
  MAX_SECTIONS,
  PeFormatError,
  parsePe,
  type PeFormatErrorCode,
} from "../../src/pe/index.js";
import { buildKitchenSinkPe, buildPe } from "./helpers/build-pe.js";

function expectError(
  bytes: Uint8Array,
  code: PeFormatErrorCode,
  offset: number | undefined,
  mode: "strict" | "permissive" = "permissive",
): PeFormatError {
  let caught: unknown;
  try {
    parsePe(bytes, { mode });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof PeFormatError, `expected PeFormatError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.offset, offset, caught.message);
  return caught;
}

function patch32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value >>> 0, true);
  return copy;
}

function patch16(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint16(offset, value, true);
  return copy;
}

describe("fatal header problems throw in both modes", () => {
  const { bytes, layout } = buildPe({ format: "PE32+" });
  for (const mode of ["permissive", "strict"] as const) {
    it(`${mode}: empty input → not-pe`, () => {
      expectError(new Uint8Array(0), "not-pe", 0, mode);
    });
    it(`${mode}: text → bad-dos-signature at 0`, () => {
      const e = expectError(
        new TextEncoder().encode("this is not a DLL at all\n"),
        "bad-dos-signature",
        0,
        mode,
      );
      assert.equal(e.structure, "IMAGE_DOS_HEADER");
    });
    it(`${mode}: MZ but shorter than IMAGE_DOS_HEADER → truncated at 0`, () => {
      expectError(bytes.subarray(0, 40), "truncated", 0, mode);
    });
    it(`${mode}: e_lfanew past EOF → bad-lfanew at 0x3c`, () => {
      expectError(patch32(bytes, 0x3c, 0xfffffff0), "bad-lfanew", 0x3c, mode);
    });
    it(`${mode}: no PE\\0\\0 → bad-nt-signature at e_lfanew`, () => {
      const b = bytes.slice();
      b[layout.lfanew + 1] = 0x58;
      expectError(b, "bad-nt-signature", layout.lfanew, mode);
    });
    it(`${mode}: COFF header cut → truncated at its offset`, () => {
      expectError(bytes.subarray(0, layout.fileHeader + 10), "truncated", layout.fileHeader, mode);
    });
    it(`${mode}: optional header cut past the last page → truncated`, () => {
      // Cut inside the optional header, with the file's last page full: nothing to read as zeros.
      const b = new Uint8Array(4096);
      b.set(bytes.subarray(0, layout.optionalHeader + 50));
      new DataView(b.buffer).setUint32(0x3c, 4096 - (layout.optionalHeader - layout.lfanew) - 50, true);
      const lfanew = new DataView(b.buffer).getUint32(0x3c, true);
      b.set(bytes.subarray(layout.lfanew, layout.optionalHeader + 50), lfanew);
      const e = expectError(b, "truncated", lfanew + (layout.optionalHeader - layout.lfanew), mode);
      assert.equal(e.structure, "IMAGE_OPTIONAL_HEADER64");
    });
    it(`${mode}: bad optional-header magic → bad-optional-header-magic`, () => {
      expectError(
        patch16(bytes, layout.optionalHeader, 0x107),
        "bad-optional-header-magic",
        layout.optionalHeader,
        mode,
      );
    });
  }
  it("strict: optional header cut inside the file's last page → truncated", () => {
    const e = expectError(
      bytes.subarray(0, layout.optionalHeader + 50),
      "truncated",
      layout.optionalHeader,
      "strict",
    );
    assert.equal(e.structure, "IMAGE_OPTIONAL_HEADER64");
  });
  it("permissive: optional header cut inside the file's last page → read as zeros, as the loader maps it", () => {
    const cut = bytes.subarray(0, layout.optionalHeader + 50);
    const pe = parsePe(cut);
    assert.equal(pe.size, cut.length);
    assert.equal(pe.optionalHeader.format, "PE32+");
    // Fields past the end read as zeros: no data directories, no sections read from beyond it.
    assert.equal(pe.optionalHeader.numberOfRvaAndSizes, 0);
    const note = pe.anomalies.find((a) => a.code === "headers-past-end-of-file");
    assert.ok(note, JSON.stringify(pe.anomalies));
    assert.equal(note.offset, cut.length);
    assert.ok(
      pe.anomalies.some((a) => a.code === "section-table-truncated"),
      JSON.stringify(pe.anomalies),
    );
  });
  it("permissive: a 97-byte PE (headers overlapping, optional header past the end) parses; its digest is of its 97 bytes", async () => {
    // The shape of the smallest PE Windows XP loads: e_lfanew = 4, so PE\0\0 sits inside the DOS
    // header, and the optional header runs 27 bytes past the end of the file.
    const tiny = new Uint8Array(97);
    const v = new DataView(tiny.buffer);
    tiny.set([0x4d, 0x5a], 0);
    tiny.set([0x50, 0x45, 0, 0], 4);
    v.setUint16(8, 0x14c, true); // Machine: i386
    v.setUint16(24, 0xe0, true); // SizeOfOptionalHeader
    v.setUint16(26, 0x0103, true); // Characteristics: relocs stripped, executable, 32-bit
    v.setUint16(28, 0x10b, true); // PE32 magic
    v.setUint32(44, 0x0c, true); // AddressOfEntryPoint (inside the headers)
    v.setUint32(60, 4, true); // e_lfanew, also BaseOfData
    v.setUint32(64, 0x400000, true); // ImageBase
    v.setUint32(68, 4, true); // SectionAlignment
    v.setUint32(72, 4, true); // FileAlignment
    v.setUint16(92, 4, true); // MajorSubsystemVersion
    const { createHash } = await import("node:crypto");
    const hash = createHash("sha256");
    const pe = parsePe(tiny, { digests: [hash] });
    assert.equal(pe.size, 97);
    assert.equal(pe.optionalHeader.addressOfEntryPoint, 0x0c);
    assert.ok(pe.anomalies.some((a) => a.code === "headers-past-end-of-file"));
    assert.equal(hash.digest("hex"), createHash("sha256").update(tiny).digest("hex"));
    expectError(tiny, "truncated", 28, "strict");
  });
  it("PeFormatError serialises code, offset and structure", () => {
    const e = expectError(patch32(bytes, 0x3c, 0xfffffff0), "bad-lfanew", 0x3c);
    assert.deepEqual(
      { ...e.toJSON(), message: undefined },
      {
        name: "PeFormatError",
        code: "bad-lfanew",
        message: undefined,
        offset: 0x3c,
        structure: "IMAGE_DOS_HEADER",
      },
    );
  });
});

describe("recoverable problems: recorded in permissive mode, thrown in strict mode", () => {
  const built = buildKitchenSinkPe("PE32+");
  const { layout } = built;

  it("NumberOfSections above the loader limit (96)", () => {
    const bad = patch16(built.bytes, layout.fileHeader + 2, 200);
    expectError(bad, "count-over-limit", undefined, "strict");
    const pe = parsePe(bad);
    assert.ok(pe.sections.length <= MAX_SECTIONS);
    assert.ok(pe.anomalies.some((a) => a.code === "section-count-over-limit"));
    // the real sections are still there and mapped
    assert.deepEqual(
      pe.sections.slice(0, 3).map((s) => s.name),
      [".text", ".rdata", ".rsrc"],
    );
  });

  it("a cycle in the resource tree", () => {
    // The name-level directory's only entry points back at the root directory.
    const nameDirEntryData = layout.resourceRoot! + 24 + 20;
    const bad = patch32(built.bytes, nameDirEntryData, 0x80000000);
    expectError(bad, "cycle", nameDirEntryData, "strict");
    const pe = parsePe(bad);
    const cycle = pe.anomalies.find((a) => a.code === "resource-directory-cycle");
    assert.ok(cycle);
    assert.equal(cycle.offset, nameDirEntryData);
    assert.equal(pe.versionInfo, undefined);
    assert.equal(pe.imports.length, 4, "the rest of the image is still parsed");
  });

  it("a self-referencing resource directory", () => {
    const rootEntryData = layout.resourceRoot! + 20;
    const bad = patch32(built.bytes, rootEntryData, 0x80000000);
    expectError(bad, "cycle", rootEntryData, "strict");
    assert.ok(parsePe(bad).anomalies.some((a) => a.code === "resource-directory-cycle"));
  });

  it("an absurd export NumberOfFunctions", () => {
    const field = layout.exportDirectory! + 20;
    const bad = patch32(built.bytes, field, 0x7fffffff);
    expectError(bad, "count-over-limit", field, "strict");
    const pe = parsePe(bad);
    assert.ok(pe.anomalies.some((a) => a.code === "export-count-over-limit" && a.offset === field));
    assert.ok(pe.exports !== undefined && pe.exports.functions.length <= MAX_EXPORTS);
    assert.equal(pe.exports.functions.find((f) => f.ordinal === 5)?.name, "ServiceEntry");
  });

  it("an absurd export NumberOfNames keeps the readable names", () => {
    const field = layout.exportDirectory! + 24;
    const pe = parsePe(patch32(built.bytes, field, 0x7fffffff));
    assert.ok(pe.anomalies.some((a) => a.code === "export-count-over-limit"));
    assert.equal(pe.exports?.functions.find((f) => f.ordinal === 6)?.name, "MSProviderInit");
  });

  it("an unmapped DLL-name RVA in an import descriptor", () => {
    const field = layout.importDescriptors! + 12;
    const bad = patch32(built.bytes, field, 0x7fff0000);
    expectError(bad, "rva-unmapped", field, "strict");
    const pe = parsePe(bad);
    assert.ok(pe.anomalies.some((a) => a.code === "rva-unmapped" && a.offset === field));
    assert.ok(
      pe.imports.some((m) => m.delayLoad),
      "delay imports still parsed",
    );
  });

  it("an unmapped import name inside a thunk array keeps the module's earlier functions", () => {
    // First module (KERNEL32): make its second INT entry point nowhere.
    const intRva = new DataView(built.bytes.buffer).getUint32(layout.importDescriptors!, true);
    const intOffset = layout.sections[".rdata"]!.raw + (intRva - 0x2000);
    const bad = patch32(built.bytes, intOffset + 8, 0x7ff00000);
    const e = expectError(bad, "rva-unmapped", intOffset + 8, "strict");
    assert.equal(e.structure, "IMAGE_IMPORT_BY_NAME");
    const pe = parsePe(bad);
    assert.deepEqual(pe.imports[0]?.functions, [{ name: "GetLastError", hint: 0 }]);
  });

  it("a certificate table pointing outside the file", () => {
    const entry = layout.directoryEntry(4);
    const bad = patch32(built.bytes, entry, 0x7ffffff8);
    expectError(bad, "truncated", entry, "strict");
    const pe = parsePe(bad);
    assert.equal(pe.certificateTable?.entries.length, 0);
    assert.ok(pe.anomalies.some((a) => a.code === "certificate-table-outside-file" && a.offset === entry));
  });

  it("a WIN_CERTIFICATE with dwLength < 8 stops the walk", () => {
    const at = layout.certificateTable! + 48;
    const bad = patch32(built.bytes, at, 4);
    expectError(bad, "malformed", at, "strict");
    const pe = parsePe(bad);
    assert.equal(pe.certificateTable?.entries.length, 1);
    assert.ok(pe.anomalies.some((a) => a.code === "win-certificate-length-too-small" && a.offset === at));
  });

  it("a certificate table that runs past EOF", () => {
    const cut = built.bytes.subarray(0, built.bytes.length - 4);
    expectError(cut, "truncated", layout.directoryEntry(4), "strict");
    const pe = parsePe(cut);
    assert.ok(pe.anomalies.some((a) => a.code === "certificate-table-past-eof"));
    assert.equal(pe.certificateTable?.entries.length, 2);
    assert.ok(pe.anomalies.some((a) => a.code === "win-certificate-past-table"));
  });

  it("a VS_VERSIONINFO with the wrong root key", () => {
    const keyOffset = layout.versionInfo! + 6;
    const bad = built.bytes.slice();
    bad[keyOffset] = 0x58; // "XS_VERSION_INFO"
    expectError(bad, "malformed", layout.versionInfo!, "strict");
    const pe = parsePe(bad);
    assert.ok(pe.anomalies.some((a) => a.code === "version-info-bad-key"));
    assert.equal(
      pe.versionInfo?.strings["CompanyName"],
      "Kerio Technologies s.r.o.",
      "still read in permissive mode",
    );
  });

  it("a VS_VERSIONINFO block shorter than its header", () => {
    const bad = patch16(built.bytes, layout.versionInfo!, 2);
    expectError(bad, "malformed", layout.versionInfo!, "strict");
    const pe = parsePe(bad);
    assert.deepEqual(pe.versionInfo?.strings, {});
  });

  it("section raw data past EOF", () => {
    const rsrc = layout.sections[".rsrc"]!;
    const pointer = built.bytes.length - 16;
    const bad = patch32(built.bytes, rsrc.header + 20, pointer);
    expectError(bad, "truncated", rsrc.header + 16, "strict");
    const pe = parsePe(bad);
    assert.ok(pe.anomalies.some((a) => a.code === "section-raw-data-past-eof"));
    // The loader rounds PointerToRawData down to 512; entropy covers what is left of the file.
    const loaderOffset = pointer - (pointer % 512);
    assert.equal(pe.sections[2]!.rawDataOffset, loaderOffset);
    assert.equal(pe.sections[2]!.rawDataSizeInFile, built.bytes.length - loaderOffset);
  });

  it("a huge resource entry count is capped", () => {
    const bad = patch16(built.bytes, layout.resourceRoot! + 14, 0xffff);
    // Entries past the real one are other directories' bytes: the first bad one throws in strict mode.
    assert.throws(
      () => parsePe(bad, { mode: "strict" }),
      (e: unknown) => e instanceof PeFormatError && e.code === "rva-unmapped" && typeof e.offset === "number",
    );
    const pe = parsePe(bad);
    assert.ok(pe.anomalies.length > 0);
    assert.equal(pe.versionInfo?.fixed?.fileVersion, "10.0.8.9999", "the real first entry is still read");
  });
});

describe("read as the loader reads them (corkami's tiny PEs)", () => {
  /**
   * A section-less PE32 in the shape of corkami's tiny.exe and maxvals.exe: SectionAlignment 4
   * (mapped flat: RVA = file offset), SizeOfOptionalHeader 0 (the data directories still count),
   * SizeOfHeaders short of the import table, and an import descriptor whose OriginalFirstThunk
   * is 0xFFFFFFFF (the loader then reads FirstThunk).
   */
  function tinyImporter(
    options: { sectionAlignment?: number; originalFirstThunk?: number } = {},
  ): Uint8Array {
    const b = new Uint8Array(0x160);
    const v = new DataView(b.buffer);
    b.set([0x4d, 0x5a], 0);
    v.setUint32(0x3c, 0x40, true);
    b.set([0x50, 0x45, 0, 0], 0x40);
    v.setUint16(0x44, 0x14c, true); // Machine: i386; NumberOfSections 0
    v.setUint16(0x54, 0, true); // SizeOfOptionalHeader 0
    v.setUint16(0x56, 0x0103, true);
    const o = 0x58;
    v.setUint16(o, 0x10b, true);
    v.setUint32(o + 16, 0x100, true); // AddressOfEntryPoint
    v.setUint32(o + 28, 0x400000, true); // ImageBase
    v.setUint32(o + 32, options.sectionAlignment ?? 4, true);
    v.setUint32(o + 36, 4, true); // FileAlignment
    v.setUint16(o + 48, 4, true); // MajorSubsystemVersion
    v.setUint32(o + 56, 0x160, true); // SizeOfImage
    v.setUint32(o + 60, 0x60, true); // SizeOfHeaders: short of the import table
    v.setUint16(o + 68, 3, true); // Subsystem: console
    v.setUint32(o + 92, 2, true); // NumberOfRvaAndSizes
    v.setUint32(o + 96 + 8, 0x100, true); // IMPORT directory RVA
    v.setUint32(o + 96 + 12, 40, true);
    v.setUint32(0x100, options.originalFirstThunk ?? 0xffffffff, true);
    v.setUint32(0x10c, 0x140, true); // Name
    v.setUint32(0x110, 0x130, true); // FirstThunk
    v.setUint32(0x130, 0x150, true); // IAT: one name thunk, then 0
    b.set(new TextEncoder().encode("msvcrt.dll"), 0x140);
    b.set(new TextEncoder().encode("printf"), 0x152);
    return b;
  }

  it("imports through the flat mapping, the directories past SizeOfOptionalHeader and FirstThunk", () => {
    const pe = parsePe(tinyImporter());
    assert.deepEqual(
      pe.imports.map((m) => [m.dll, m.functions.map((f) => f.name)]),
      [["msvcrt.dll", ["printf"]]],
    );
    const codes = pe.anomalies.map((a) => a.code);
    for (const code of [
      "optional-header-size-too-small",
      "data-directories-beyond-optional-header",
      "import-lookup-table-unmapped",
    ])
      assert.ok(codes.includes(code), `${code} in ${JSON.stringify(codes)}`);
  });

  it("an OriginalFirstThunk that maps is used, as before", () => {
    // OriginalFirstThunk at 0x120, which holds no thunk (0): the module's function list is empty.
    const pe = parsePe(tinyImporter({ originalFirstThunk: 0x120 }));
    assert.deepEqual(
      pe.imports.map((m) => [m.dll, m.functions.length]),
      [["msvcrt.dll", 0]],
    );
  });

  it("a page-aligned image is not mapped flat: the import table past SizeOfHeaders and in no section is unmapped", () => {
    const pe = parsePe(tinyImporter({ sectionAlignment: 0x1000 }));
    assert.deepEqual(pe.imports, []);
    assert.ok(
      pe.anomalies.some((a) => a.code === "rva-unmapped"),
      JSON.stringify(pe.anomalies),
    );
  });
});
