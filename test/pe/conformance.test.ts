/**
 * shared/conformance/manifest.json (facts recorded by an independent probe for third-party
 * samples from the signify, pefile-tests and goblin test suites): machine, DLL flag,
 * SectionAlignment, stored checksum and whether it is valid, per-section raw pointer/size,
 * entropy (±0.01) and entry-point section, overlay bytes excluding the certificate table, and the
 * certificate table's offset, size and position. Files the probe marks `pe: false` must give a
 * PeFormatError. Skips when shared/ is absent.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { PeFormatError, parsePe } from "../../src/pe/index.js";
import { sharedDir } from "./helpers/paths.js";

interface ManifestFile {
  size: number;
  pe?: boolean;
  machine?: string;
  isDll?: boolean;
  sectionAlignment?: string;
  checksumStored?: string;
  checksumValid?: boolean;
  sections?: { name: string; rawPtr: number; rawSize: number; entropy: number; wx: boolean; ep: boolean }[];
  overlayBytesExcludingCertTable?: number;
  certTable?: { offset: number; size: number; atEndOfFile: boolean };
}

const dir = sharedDir === undefined ? undefined : path.join(sharedDir, "conformance");
const manifestPath = dir === undefined ? undefined : path.join(dir, "manifest.json");
const skip =
  manifestPath === undefined || !existsSync(manifestPath)
    ? "shared/conformance/manifest.json not found (development workspace only)"
    : false;

describe("conformance samples agree with manifest.json", { skip }, () => {
  const manifest = skip
    ? { files: {} }
    : (JSON.parse(readFileSync(manifestPath!, "utf8")) as { files: Record<string, ManifestFile> });
  const hex = (n: number): string => `0x${n.toString(16)}`;

  for (const [name, facts] of Object.entries(manifest.files)) {
    it(name, () => {
      const bytes = readFileSync(path.join(dir!, name));
      assert.equal(bytes.length, facts.size);
      if (facts.pe === false) {
        assert.throws(() => parsePe(bytes), PeFormatError);
        return;
      }
      const pe = parsePe(bytes);
      assert.equal(hex(pe.fileHeader.machine), facts.machine);
      assert.equal(pe.fileHeader.isDll, facts.isDll);
      assert.equal(hex(pe.optionalHeader.sectionAlignment), facts.sectionAlignment);
      assert.equal(hex(pe.optionalHeader.checkSum), facts.checksumStored);
      assert.equal(pe.computedCheckSum === pe.optionalHeader.checkSum, facts.checksumValid);
      const sections = facts.sections ?? [];
      assert.deepEqual(
        pe.sections.map((s) => [s.name, s.pointerToRawData, s.sizeOfRawData, s.executable && s.writable]),
        sections.map((s) => [s.name, s.rawPtr, s.rawSize, s.wx]),
      );
      sections.forEach((s, i) => {
        assert.ok(
          Math.abs(pe.sections[i]!.entropy - s.entropy) <= 0.01,
          `${s.name}: ${pe.sections[i]!.entropy} vs ${s.entropy}`,
        );
      });
      const epIndex = sections.findIndex((s) => s.ep);
      assert.equal(pe.entryPointSection, epIndex < 0 ? undefined : sections[epIndex]!.name);
      assert.equal(pe.overlay.size, facts.overlayBytesExcludingCertTable);
      if (facts.certTable === undefined) {
        assert.equal(pe.certificateTable, undefined);
      } else {
        assert.equal(pe.certificateTable?.offset, facts.certTable.offset);
        assert.equal(pe.certificateTable?.size, facts.certTable.size);
        assert.equal(facts.certTable.offset + facts.certTable.size === pe.size, facts.certTable.atEndOfFile);
        assert.ok((pe.certificateTable?.entries.length ?? 0) >= 1);
      }
    });
  }
});
