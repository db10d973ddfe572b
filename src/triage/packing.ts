/**
 * Packing signals of a PE image, each cheap and explainable. A file is "packed" when at least
 * {@link PACKED_SIGNAL_COUNT} signals agree; whole-file entropy alone is never used, because
 * installers and SFX archives score high from their overlay (brief §6).
 *
 * Source: research/authenticode-brief.md §6 (pefile peutils, pev pescan, UPX's own layout).
 */
import type { PeImage } from "../pe/types.js";
import {
  HIGH_ENTROPY_SHARE,
  HIGH_SECTION_ENTROPY,
  PACKED_SIGNAL_COUNT,
  STUB_IMPORT_COUNT,
} from "./thresholds.js";

/** Section names written by common packers and protectors. */
const PACKER_SECTION_NAMES = new Set(
  [
    "UPX0",
    "UPX1",
    "UPX2",
    "UPX!",
    ".UPX0",
    ".UPX1",
    ".aspack",
    ".adata",
    ".petite",
    ".nsp0",
    ".nsp1",
    ".nsp2",
    "MPRESS1",
    "MPRESS2",
    ".MPRESS1",
    ".MPRESS2",
    ".themida",
    ".vmp0",
    ".vmp1",
    ".enigma1",
    ".enigma2",
    "PEC2",
    "PECompact2",
    ".packed",
    "kkrunchy",
    "FSG!",
  ].map((n) => n.toLowerCase()),
);

/** UPX's pack header magic "UPX!" (UPX `src/conf.h`), searched in the headers region. */
const UPX_MAGIC = [0x55, 0x50, 0x58, 0x21];

export interface PackingSignal {
  code:
    | "high-entropy-sections"
    | "write-execute-section"
    | "entry-point-outside-code"
    | "packer-section-name"
    | "upx-magic"
    | "loader-stub-imports"
    | "virtual-only-section";
  message: string;
}

export interface PackingAnalysis {
  packed: boolean;
  signals: PackingSignal[];
}

function findBytes(hay: Uint8Array, needle: number[], from: number, to: number): number {
  const end = Math.min(hay.length - needle.length, to);
  outer: for (let i = from; i <= end; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Finds packing signals in `pe` (whose file bytes are `bytes`).
 * @returns the signals and whether they add up to "packed".
 */
export function analyzePacking(pe: PeImage, bytes: Uint8Array): PackingAnalysis {
  const signals: PackingSignal[] = [];
  const imageBytes = Math.max(1, pe.size - pe.overlay.size);

  const dense = pe.sections.filter((s) => s.entropy > HIGH_SECTION_ENTROPY && s.sizeOfRawData > 0);
  const denseBytes = dense.reduce((n, s) => n + Math.min(s.sizeOfRawData, pe.size), 0);
  if (dense.length > 0 && denseBytes / imageBytes > HIGH_ENTROPY_SHARE) {
    const list = dense.map((s) => `${s.name} ${s.entropy.toFixed(2)}`).join(", ");
    signals.push({
      code: "high-entropy-sections",
      message: `sections with entropy > ${HIGH_SECTION_ENTROPY} cover ${Math.round((100 * denseBytes) / imageBytes)}% of the image (${list})`,
    });
  }

  const wx = pe.sections.filter((s) => s.writable && s.executable);
  if (wx.length > 0) {
    signals.push({
      code: "write-execute-section",
      message: `writable and executable section(s): ${wx.map((s) => s.name).join(", ")}`,
    });
  }

  const ep = pe.optionalHeader.addressOfEntryPoint;
  if (ep !== 0) {
    const section = pe.sections.find(
      (s) => ep >= s.virtualAddress && ep < s.virtualAddress + Math.max(s.virtualSize, s.sizeOfRawData),
    );
    if (!section) {
      signals.push({
        code: "entry-point-outside-code",
        message: `entry point RVA 0x${ep.toString(16)} lies in no section`,
      });
    } else if (!section.executable) {
      signals.push({
        code: "entry-point-outside-code",
        message: `entry point is in non-code section ${section.name}`,
      });
    }
  }

  const named = pe.sections.filter((s) => PACKER_SECTION_NAMES.has(s.name.toLowerCase()));
  if (named.length > 0) {
    signals.push({
      code: "packer-section-name",
      message: `packer section names: ${named.map((s) => s.name).join(", ")}`,
    });
  }

  const headersEnd = Math.min(bytes.length, Math.max(pe.optionalHeader.sizeOfHeaders, 0x400), 0x1000);
  const magicAt = findBytes(bytes, UPX_MAGIC, 0, headersEnd);
  if (magicAt >= 0)
    signals.push({ code: "upx-magic", message: `"UPX!" magic at offset 0x${magicAt.toString(16)}` });

  const functions = pe.imports.flatMap((m) => m.functions.map((f) => f.name ?? ""));
  const hasLoadLibrary = functions.some((f) => f.startsWith("LoadLibrary"));
  const hasGetProc = functions.includes("GetProcAddress");
  if (hasLoadLibrary && hasGetProc && functions.length < STUB_IMPORT_COUNT) {
    signals.push({
      code: "loader-stub-imports",
      message: `only ${functions.length} imports, including LoadLibrary/GetProcAddress (a loader stub)`,
    });
  }

  const hollow = pe.sections.filter((s) => s.sizeOfRawData === 0 && s.virtualSize >= 0x10000 && s.executable);
  if (hollow.length > 0) {
    signals.push({
      code: "virtual-only-section",
      message: `executable section(s) with no file data but a large virtual size: ${hollow.map((s) => s.name).join(", ")}`,
    });
  }

  return { packed: signals.length >= PACKED_SIGNAL_COUNT, signals };
}
