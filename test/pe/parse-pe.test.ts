/**
 * Unit tests of parsePe() on synthetic PE32 and PE32+ images built by helpers/build-pe.ts:
 * headers, sections, imports by name and ordinal, delay imports (RVA- and VA-based), exports with
 * forwarders and biased ordinals, VS_VERSIONINFO, the certificate table, the overlay, the
 * checksum and entropy.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { computePeChecksum, parsePe, shannonEntropy } from "../../src/pe/index.js";
import { buildKitchenSinkPe, buildPe } from "./helpers/build-pe.js";

/** An independent checksum: pefile's 32-bit dword sum with carry folding, then 16-bit fold. */
function dwordChecksum(bytes: Uint8Array, checkSumOffset: number): number {
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  let sum = 0n;
  for (let i = 0; i < padded.length; i += 4) {
    if (i === checkSumOffset) continue;
    sum += BigInt(view.getUint32(i, true));
    if (sum >= 1n << 32n) sum = (sum & 0xffffffffn) + (sum >> 32n);
  }
  sum = (sum & 0xffffn) + (sum >> 16n);
  sum = sum + (sum >> 16n);
  return Number(sum & 0xffffn) + bytes.length;
}

for (const format of ["PE32", "PE32+"] as const) {
  describe(`parsePe on a synthetic ${format} image`, () => {
    const built = buildKitchenSinkPe(format);
    const pe = parsePe(built.bytes, { mode: "strict" });

    it("reads the headers", () => {
      assert.equal(pe.size, built.bytes.length);
      assert.equal(pe.dos.lfanew, built.layout.lfanew);
      assert.equal(pe.fileHeader.offset, built.layout.lfanew + 4);
      assert.equal(pe.fileHeader.machineName, format === "PE32" ? "x86" : "x64");
      assert.equal(pe.fileHeader.isDll, true);
      assert.equal(pe.optionalHeader.format, format);
      assert.equal(pe.optionalHeader.magic, format === "PE32" ? 0x10b : 0x20b);
      assert.equal(pe.optionalHeader.imageBase, built.layout.imageBase);
      assert.equal(pe.optionalHeader.checkSumOffset, built.layout.optionalHeader + 64);
      assert.equal(pe.optionalHeader.dataDirectories.length, 16);
      const security = pe.optionalHeader.dataDirectories[4]!;
      assert.equal(security.name, "SECURITY");
      assert.equal(security.entryOffset, built.layout.directoryEntry(4));
      assert.equal(security.entryOffset - pe.optionalHeader.offset, format === "PE32" ? 128 : 144);
      assert.deepEqual(pe.anomalies, []);
    });

    it("reads the section table with entropy and flags", () => {
      assert.deepEqual(
        pe.sections.map((s) => s.name),
        [".text", ".rdata", ".rsrc"],
      );
      const text = pe.sections[0]!;
      assert.equal(text.executable, true);
      assert.equal(text.writable, false);
      assert.equal(text.headerOffset, built.layout.sectionTable);
      const raw = built.bytes.subarray(text.pointerToRawData, text.pointerToRawData + text.sizeOfRawData);
      assert.equal(text.entropy, shannonEntropy(raw));
      assert.ok(text.entropy > 0 && text.entropy < 1);
      assert.equal(pe.entryPointSection, ".text");
    });

    it("reads imports by name (with hint) and by ordinal", () => {
      const normal = pe.imports.filter((m) => !m.delayLoad);
      assert.deepEqual(normal, [
        {
          dll: "KERNEL32.dll",
          delayLoad: false,
          functions: [
            { name: "GetLastError", hint: 0 },
            { name: "Sleep", hint: 1 },
            { name: "VirtualProtect", hint: 2 },
          ],
        },
        {
          dll: "WS2_32.dll",
          delayLoad: false,
          functions: [{ ordinal: 23 }, { ordinal: 115 }, { name: "WSAStartup", hint: 2 }],
        },
      ]);
    });

    it("reads delay imports, RVA-based and (PE32) VA-based", () => {
      const delay = pe.imports.filter((m) => m.delayLoad);
      assert.deepEqual(delay, [
        {
          dll: "USER32.dll",
          delayLoad: true,
          functions: [{ name: "MessageBoxW", hint: 0 }, { ordinal: 42 }],
        },
        { dll: "OLD.dll", delayLoad: true, functions: [{ name: "Legacy", hint: 0 }] },
      ]);
    });

    it("reads exports with biased ordinals and forwarders", () => {
      assert.equal(pe.exports?.dllName, "kofmsp.dll");
      assert.equal(pe.exports?.ordinalBase, 5);
      assert.deepEqual(pe.exports?.functions, [
        { ordinal: 5, name: "ServiceEntry", rva: 0x1000 },
        { ordinal: 6, name: "MSProviderInit", rva: 0x1001 },
        { ordinal: 7, rva: 0x1002 },
        { ordinal: 8, name: "Fwd", forwarder: "NTDLL.RtlZeroMemory" },
      ]);
    });

    it("reads VS_VERSIONINFO: fixed info, every string, translations", () => {
      const v = pe.versionInfo;
      assert.ok(v);
      assert.equal(v.fixed?.fileVersion, "10.0.8.9999");
      assert.equal(v.fixed?.productVersion, "10.0.8.9999");
      assert.equal(v.fixed?.fileType, 2);
      assert.equal(v.strings["CompanyName"], "Kerio Technologies s.r.o.");
      assert.equal(v.strings["OriginalFilename"], "kofmsp.dll");
      assert.equal(v.strings["Comments"], "synthetic");
      assert.equal(Object.keys(v.strings).length, 7);
      assert.deepEqual(v.translations, ["040904b0"]);
      assert.deepEqual(v.varFileInfoTranslations, ["040904b0"]);
      assert.deepEqual(
        pe.resources?.map((r) => [r.type, r.name, r.language]),
        [[16, 1, 0x409]],
      );
    });

    it("walks the certificate table with 8-byte rounding, payloads as subarrays", () => {
      const t = pe.certificateTable;
      assert.ok(t);
      assert.equal(t.offset, built.layout.certificateTable);
      assert.deepEqual(
        t.entries.map((e) => [
          e.offset - t.offset,
          e.length,
          e.revision,
          e.certificateType,
          e.certificate.length,
        ]),
        [
          [0, 45, 0x200, 2, 37],
          [48, 24, 0x200, 2, 16],
        ],
      );
      assert.equal(t.entries[0]!.certificate.buffer, built.bytes.buffer, "payload is not a copy");
      assert.equal(t.entries[0]!.certificate[0], 0x30);
    });

    it("reports the overlay without the certificate table", () => {
      const start = built.layout.overlay!;
      // 11 overlay bytes, then zero padding up to the 8-aligned certificate table.
      assert.equal(pe.overlay.offset, start);
      assert.equal(pe.overlay.size, built.layout.certificateTable! - start);
      assert.equal(
        pe.overlay.entropy,
        shannonEntropy(built.bytes.subarray(start, built.layout.certificateTable!)),
      );
    });

    it("computes the checksum like the loader (CheckSum field ignored)", () => {
      assert.equal(pe.computedCheckSum, dwordChecksum(built.bytes, built.layout.checkSumOffset));
      const patched = built.bytes.slice();
      new DataView(patched.buffer).setUint32(built.layout.checkSumOffset, 0xdeadbeef, true);
      assert.equal(parsePe(patched).computedCheckSum, pe.computedCheckSum);
      patched[built.layout.sections[".text"]!.raw]! ^= 0xff;
      assert.notEqual(parsePe(patched).computedCheckSum, pe.computedCheckSum);
    });
  });
}

describe("checksum and entropy primitives", () => {
  it("computePeChecksum matches the dword algorithm on odd lengths and random data", () => {
    let seed = 12345;
    // Word counts of every remainder mod 4 (the sum runs four words at a time), and one past
    // the 2^20-word run summed before folding.
    for (const length of [1, 2, 3, 5, 64, 257, 4099, 4105, 4111, 4 * (1 << 20) + 4 * 5 + 1]) {
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++) bytes[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      const at = length >= 72 ? 64 : length + 16;
      assert.equal(computePeChecksum(bytes, at), dwordChecksum(bytes, at), `length ${length}`);
    }
  });

  it("computePeChecksum treats an unaligned CheckSum field as zero", () => {
    const bytes = new Uint8Array(301);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 97 + 13) & 0xff;
    for (const at of [63, 65, 66, 298]) {
      const zeroed = bytes.slice();
      zeroed.fill(0, at, Math.min(at + 4, zeroed.length));
      assert.equal(computePeChecksum(bytes, at), computePeChecksum(zeroed, -100), `offset ${at}`);
    }
    assert.notEqual(computePeChecksum(bytes, 63), computePeChecksum(bytes, -100));
  });

  it("computePeChecksum on all-zero data is the file length (the empty sum stays 0)", () => {
    const bytes = new Uint8Array(1000);
    assert.equal(computePeChecksum(bytes, 64), 1000);
    bytes.fill(0xff, 64, 68);
    assert.equal(computePeChecksum(bytes, 64), 1000);
    assert.equal(computePeChecksum(bytes.subarray(1), 63), 999, "unaligned view");
  });

  it("shannonEntropy matches a naive −Σ p·log2 p on subarrays of any offset and length", () => {
    const naive = (d: Uint8Array): number => {
      const counts = new Map<number, number>();
      for (const b of d) counts.set(b, (counts.get(b) ?? 0) + 1);
      let h = 0;
      for (const c of counts.values()) h -= (c / d.length) * Math.log2(c / d.length);
      return h;
    };
    const buf = new Uint8Array(5000);
    for (let i = 0; i < buf.length; i++) buf[i] = (i * i * 31 + 7) & 0xff;
    for (let offset = 0; offset < 4; offset++) {
      for (const length of [1, 255, 256, 257, 1001, 4093]) {
        const d = buf.subarray(offset, offset + length);
        assert.ok(Math.abs(shannonEntropy(d) - naive(d)) < 1e-9, `offset ${offset} length ${length}`);
      }
    }
  });

  it("shannonEntropy: 0 for constant data, 8 for all byte values equally, 1 for two values", () => {
    assert.equal(shannonEntropy(new Uint8Array(0)), 0);
    assert.equal(shannonEntropy(new Uint8Array(100).fill(7)), 0);
    const all = new Uint8Array(512);
    for (let i = 0; i < 512; i++) all[i] = i & 0xff;
    assert.equal(shannonEntropy(all), 8);
    assert.equal(shannonEntropy(new Uint8Array([0, 1, 0, 1])), 1);
  });
});

describe("parsePe without optional structures", () => {
  it("parses a bare image: no imports, exports, resources or certificate table", () => {
    const built = buildPe({ format: "PE32" });
    const pe = parsePe(built.bytes, { mode: "strict" });
    assert.deepEqual(pe.imports, []);
    assert.equal(pe.exports, undefined);
    assert.equal(pe.versionInfo, undefined);
    assert.equal(pe.certificateTable, undefined);
    assert.equal(pe.overlay.size, 0);
    assert.equal(pe.overlay.offset, built.bytes.length);
  });
});
