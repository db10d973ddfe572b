/**
 * Evasions of the packing and dynamic-import rules, on in-memory images: entry points the spec
 * allows or forbids, section flags that ask for execution without the loader granting it, and
 * API names hidden in UTF-16, split across sections or inside longer identifiers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyzeDynamicImports } from "../../src/triage/dynamic-imports.js";
import { dynamicImportsIndicator } from "../../src/triage/indicators/dynamic-imports.js";
import { analyzePacking } from "../../src/triage/packing.js";
import { fakePe, fakeSection } from "../helpers/fake-pe.js";

const codes = (pe: ReturnType<typeof fakePe>) =>
  analyzePacking(pe, new Uint8Array(0x400)).signals.map((s) => s.code);
const withEp = (ep: number, isDll = true, sections = [fakeSection(".text")]) => {
  const pe = fakePe({ isDll, sections });
  pe.optionalHeader.addressOfEntryPoint = ep;
  return pe;
};

describe("packing: entry point", () => {
  it("a DLL without an entry point (RVA 0) is fine; an EXE starting at RVA 0 runs its headers", () => {
    assert.deepEqual(codes(withEp(0, true)), []);
    assert.deepEqual(codes(withEp(0, false)), ["entry-point-outside-code"]);
  });
  it("in a section marked code but not IMAGE_SCN_MEM_EXECUTE is outside code", () => {
    const pe = withEp(0x1010, true, [
      fakeSection(".text", { characteristics: 0x40000020, executable: true }),
    ]);
    const a = analyzePacking(pe, new Uint8Array(0x400));
    assert.equal(a.packed, true);
    assert.match(a.signals[0]!.message, /no IMAGE_SCN_MEM_EXECUTE/);
  });
  it("in no section (a gap between sections) is outside code", () => {
    const pe = withEp(0x2100, true);
    pe.optionalHeader.sizeOfImage = 0x4000;
    assert.deepEqual(codes(pe), ["entry-point-outside-code"]);
  });
});

describe("packing: strong and weak", () => {
  it("W+X via IMAGE_SCN_MEM_WRITE | IMAGE_SCN_CNT_CODE alone is strong", () => {
    const sections = [
      fakeSection(".text", { characteristics: 0xc0000020, executable: true, writable: true }),
    ];
    const a = analyzePacking(withEp(0x1010, true, sections), new Uint8Array(0x400));
    assert.deepEqual(
      a.signals.map((s) => [s.code, s.strength]),
      [
        ["entry-point-outside-code", "strong"],
        ["write-execute-section", "strong"],
      ],
    );
  });
  it("one weak signal is not packed, two are", () => {
    const one = fakePe({ sections: [fakeSection(".text"), fakeSection("UPX1", { virtualAddress: 0x2000 })] });
    assert.equal(analyzePacking(one, new Uint8Array(0x400)).packed, false);
    const bytes = new Uint8Array(0x400);
    bytes.set([0x55, 0x50, 0x58, 0x21], 0x3e0);
    assert.equal(analyzePacking(one, bytes).packed, true);
  });
  it("dense code must cover most of the image to be strong alone", () => {
    const dense = (raw: number) =>
      fakePe({
        size: 0x10000,
        sections: [fakeSection(".text", { entropy: 7.9, sizeOfRawData: raw, rawDataSizeInFile: raw })],
      });
    const big = analyzePacking(dense(0x9000), new Uint8Array(0x400));
    assert.deepEqual([big.packed, big.signals[0]!.code], [true, "high-entropy-code"]);
    const small = analyzePacking(dense(0x4000), new Uint8Array(0x400));
    assert.deepEqual([small.packed, small.signals[0]!.code], [false, "high-entropy-sections"]);
  });
});

/** An image whose two sections are contiguous in memory (no zero-filled gap between them). */
function contiguous(first: string, second: string, imports: string[] = ["GetProcAddress"]) {
  const bytes = new Uint8Array(0x600);
  bytes.set(Buffer.from(first, "latin1"), 0x600 - first.length);
  bytes.set(Buffer.from(second, "latin1"), 0x200);
  const pe = fakePe({
    size: bytes.length,
    sections: [
      fakeSection(".text", {
        virtualAddress: 0x1000,
        virtualSize: 0x200,
        sizeOfRawData: 0x200,
        pointerToRawData: 0x400,
        rawDataOffset: 0x400,
        rawDataSizeInFile: 0x200,
      }),
      fakeSection(".rdata", {
        virtualAddress: 0x1200,
        virtualSize: 0x200,
        sizeOfRawData: 0x200,
        pointerToRawData: 0x200,
        rawDataOffset: 0x200,
        rawDataSizeInFile: 0x200,
      }),
    ],
    imports: [{ dll: "KERNEL32.dll", delayLoad: false, functions: imports.map((name) => ({ name })) }],
  });
  // Page alignment: a SectionAlignment below a page would map the file flat (src/pe/rva.ts), where
  // memory order is file order. .text's raw data (0x200 bytes) ends where .rdata begins in memory.
  pe.optionalHeader.sectionAlignment = 0x1000;
  pe.optionalHeader.sizeOfHeaders = 0x200;
  return { pe, bytes };
}

describe("dynamic imports: where names hide", () => {
  const found = (first: string, second: string, imports?: string[]) => {
    const { pe, bytes } = contiguous(first, second, imports);
    return analyzeDynamicImports(pe, bytes).names.map((n) => `${n.name}/${n.encoding}`);
  };
  it("finds a name split across sections that are contiguous in memory", () => {
    // .text is at file 0x400 but VA 0x1000; .rdata at file 0x200 but VA 0x1200: not adjacent on disk.
    assert.deepEqual(found("\0WriteProc", "essMemory\0"), ["WriteProcessMemory/ascii"]);
  });
  it("finds UTF-16 names and ignores names inside longer identifiers", () => {
    assert.deepEqual(found("\0\0", "W\0i\0n\0E\0x\0e\0c\0\0\0"), ["WinExec/utf-16le"]);
    assert.deepEqual(found("\0", "WinExecute\0MyWinExec\0"), []);
  });
  it("needs a resolver, and leaves statically imported names to executable-behavior", () => {
    assert.deepEqual(found("\0", "WinExec\0", ["ExitProcess"]), []);
    assert.deepEqual(found("\0", "WinExec\0WriteProcessMemory\0", ["GetProcAddress", "WinExec"]), [
      "WriteProcessMemory/ascii",
    ]);
  });
  it("is suspicious, never malicious, naming what it found", () => {
    const { pe, bytes } = contiguous("\0", "WinExec\0URLDownloadToFileA\0");
    const i = dynamicImportsIndicator(analyzeDynamicImports(pe, bytes));
    assert.equal(i.level, "suspicious");
    assert.equal(
      i.evidence,
      "imports GetProcAddress and carries the API names WinExec, URLDownloadToFileA as strings (resolvable at run time)",
    );
  });
});

describe("dynamic imports: a low-alignment image is searched as the loader maps it", () => {
  it("finds a name the section table does not cover, in a flat (SectionAlignment < page) image", () => {
    const bytes = new Uint8Array(0x400);
    bytes.set(Buffer.from("\0WriteProcessMemory\0", "latin1"), 0x300);
    const pe = fakePe({
      size: bytes.length,
      sections: [],
      imports: [{ dll: "KERNEL32.dll", delayLoad: false, functions: [{ name: "GetProcAddress" }] }],
    });
    pe.optionalHeader.sectionAlignment = 4;
    pe.optionalHeader.fileAlignment = 4;
    pe.optionalHeader.sizeOfHeaders = 0x100;
    pe.optionalHeader.sizeOfImage = 0x400;
    const names = analyzeDynamicImports(pe, bytes).names.map((n) => `${n.name}@${n.offset}`);
    assert.deepEqual(names, ["WriteProcessMemory@769"]);
    // Page-aligned, the same bytes past SizeOfHeaders and in no section are not mapped.
    pe.optionalHeader.sectionAlignment = 0x1000;
    assert.deepEqual(analyzeDynamicImports(pe, bytes).names, []);
  });
});
