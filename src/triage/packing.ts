/**
 * Packing signals of a PE image, each cheap and explainable, each either *strong* or *weak*.
 * One strong signal makes the image "packed"; weak signals need {@link PACKED_SIGNAL_COUNT} of
 * their kind to agree. Whole-file entropy is never used, because installers and SFX archives
 * score high from their overlay (docs/verdict.md, "Packing: strong and weak signals").
 *
 * Strong signals are layouts no compiler or linker emits for ordinary code and that a loader
 * stub needs: the entry point outside every executable section, a section that is both writable
 * and executable, and executable sections of compressed-looking bytes covering most of the image.
 * Weak signals have innocent explanations on their own (compressed resources, a renamed or
 * legitimately UPX-packed binary, a small DLL that resolves a few functions at run time).
 *
 * Source: pefile `peutils` (https://github.com/erocarrera/pefile), pev `pescan`
 * (https://github.com/mentebinaria/readpe), UPX's own layout (https://github.com/upx/upx);
 * PE/COFF specification §3.4.1 (AddressOfEntryPoint: "optional for DLLs … must be zero"),
 * §4.1 (Section Flags: IMAGE_SCN_CNT_CODE, IMAGE_SCN_MEM_EXECUTE, IMAGE_SCN_MEM_WRITE;
 * https://learn.microsoft.com/en-us/windows/win32/debug/pe-format).
 */
import type { PeImage, SectionHeader } from "../pe/types.js";
import {
  HIGH_ENTROPY_CODE_SHARE,
  HIGH_ENTROPY_SHARE,
  HIGH_SECTION_ENTROPY,
  PACKED_SIGNAL_COUNT,
  STUB_IMPORT_COUNT,
} from "./thresholds.js";

/** IMAGE_SCN_CNT_CODE: the section contains code (a linker's claim, not a page protection). */
const IMAGE_SCN_CNT_CODE = 0x00000020;
/** IMAGE_SCN_MEM_EXECUTE: the loader maps the section executable. */
const IMAGE_SCN_MEM_EXECUTE = 0x20000000;
/** IMAGE_SCN_MEM_WRITE: the loader maps the section writable. */
const IMAGE_SCN_MEM_WRITE = 0x80000000;

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

/** How much one signal proves on its own (docs/verdict.md "Packing: strong and weak signals"). */
export type PackingStrength = "strong" | "weak";

export interface PackingSignal {
  code:
    | "entry-point-outside-code"
    | "write-execute-section"
    | "high-entropy-code"
    | "high-entropy-sections"
    | "packer-section-name"
    | "upx-magic"
    | "loader-stub-imports"
    | "virtual-only-section";
  strength: PackingStrength;
  message: string;
}

export interface PackingAnalysis {
  /** At least one strong signal, or at least {@link PACKED_SIGNAL_COUNT} weak ones. */
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
 * Mapped as executable by the loader: IMAGE_SCN_MEM_EXECUTE. IMAGE_SCN_CNT_CODE alone does not
 * make a page executable, so an entry point in such a section still counts as outside code.
 */
function mappedExecutable(s: SectionHeader): boolean {
  return (s.characteristics & IMAGE_SCN_MEM_EXECUTE) !== 0;
}

/**
 * Writable and executable. Here IMAGE_SCN_CNT_CODE counts as asking for execution: with DEP off
 * (32-bit processes without NX compatibility) a writable code section runs as well.
 */
function writableAndExecutable(s: SectionHeader): boolean {
  return (
    (s.characteristics & IMAGE_SCN_MEM_WRITE) !== 0 &&
    (s.characteristics & (IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_CNT_CODE)) !== 0
  );
}

/** Raw bytes of `s` that are inside the file. */
function rawBytes(s: SectionHeader, fileSize: number): number {
  return s.rawDataSizeInFile ?? Math.min(s.sizeOfRawData, fileSize);
}

/** Where the entry point lies when it is outside every executable section, else `undefined`. */
function entryPointOutsideCode(pe: PeImage): string | undefined {
  const ep = pe.optionalHeader.addressOfEntryPoint;
  const hex = `0x${ep.toString(16)}`;
  // PE/COFF §3.4.1: a DLL without an entry point has AddressOfEntryPoint 0. For an EXE, 0 means
  // execution starts at the image base, on the MZ header.
  if (ep === 0 && pe.fileHeader.isDll) return undefined;
  if (ep < pe.optionalHeader.sizeOfHeaders) return `entry point RVA ${hex} is in the headers`;
  if (ep >= pe.optionalHeader.sizeOfImage) {
    return `entry point RVA ${hex} is past the end of the image (SizeOfImage 0x${pe.optionalHeader.sizeOfImage.toString(16)})`;
  }
  const section = pe.sections.find(
    (s) => ep >= s.virtualAddress && ep < s.virtualAddress + Math.max(s.virtualSize, s.sizeOfRawData),
  );
  if (!section) return `entry point RVA ${hex} lies in no section`;
  if (!mappedExecutable(section)) {
    return `entry point RVA ${hex} is in ${section.name || "an unnamed section"}, which is not executable (no IMAGE_SCN_MEM_EXECUTE)`;
  }
  return undefined;
}

/**
 * Finds packing signals in `pe` (whose file bytes are `bytes`).
 * @returns the signals, each marked strong or weak, and whether they add up to "packed".
 */
export function analyzePacking(pe: PeImage, bytes: Uint8Array): PackingAnalysis {
  const signals: PackingSignal[] = [];
  const imageBytes = Math.max(1, pe.size - pe.overlay.size);
  const share = (n: number) => Math.round((100 * n) / imageBytes);
  const listed = (ss: SectionHeader[]) => ss.map((s) => `${s.name} ${s.entropy.toFixed(2)}`).join(", ");

  const outside = entryPointOutsideCode(pe);
  if (outside) signals.push({ code: "entry-point-outside-code", strength: "strong", message: outside });

  const wx = pe.sections.filter(writableAndExecutable);
  if (wx.length > 0) {
    signals.push({
      code: "write-execute-section",
      strength: "strong",
      message: `writable and executable section(s): ${wx.map((s) => `${s.name} (characteristics 0x${s.characteristics.toString(16)})`).join(", ")}`,
    });
  }

  const dense = pe.sections.filter((s) => s.entropy > HIGH_SECTION_ENTROPY && rawBytes(s, pe.size) > 0);
  const denseCode = dense.filter((s) => s.executable);
  const denseCodeBytes = denseCode.reduce((n, s) => n + rawBytes(s, pe.size), 0);
  const denseBytes = dense.reduce((n, s) => n + rawBytes(s, pe.size), 0);
  if (denseCode.length > 0 && denseCodeBytes / imageBytes > HIGH_ENTROPY_CODE_SHARE) {
    signals.push({
      code: "high-entropy-code",
      strength: "strong",
      message: `executable sections with entropy > ${HIGH_SECTION_ENTROPY} cover ${share(denseCodeBytes)}% of the image (${listed(denseCode)})`,
    });
  } else if (dense.length > 0 && denseBytes / imageBytes > HIGH_ENTROPY_SHARE) {
    signals.push({
      code: "high-entropy-sections",
      strength: "weak",
      message: `sections with entropy > ${HIGH_SECTION_ENTROPY} cover ${share(denseBytes)}% of the image (${listed(dense)})`,
    });
  }

  const named = pe.sections.filter((s) => PACKER_SECTION_NAMES.has(s.name.toLowerCase()));
  if (named.length > 0) {
    signals.push({
      code: "packer-section-name",
      strength: "weak",
      message: `packer section names: ${named.map((s) => s.name).join(", ")}`,
    });
  }

  const headersEnd = Math.min(bytes.length, Math.max(pe.optionalHeader.sizeOfHeaders, 0x400), 0x1000);
  const magicAt = findBytes(bytes, UPX_MAGIC, 0, headersEnd);
  if (magicAt >= 0) {
    signals.push({
      code: "upx-magic",
      strength: "weak",
      message: `"UPX!" magic at offset 0x${magicAt.toString(16)}`,
    });
  }

  const functions = pe.imports.flatMap((m) => m.functions.map((f) => f.name ?? ""));
  const hasLoadLibrary = functions.some((f) => f.startsWith("LoadLibrary"));
  const hasGetProc = functions.includes("GetProcAddress");
  if (hasLoadLibrary && hasGetProc && functions.length < STUB_IMPORT_COUNT) {
    signals.push({
      code: "loader-stub-imports",
      strength: "weak",
      message: `only ${functions.length} imports, including LoadLibrary/GetProcAddress (a loader stub)`,
    });
  }

  const hollow = pe.sections.filter((s) => s.sizeOfRawData === 0 && s.virtualSize >= 0x10000 && s.executable);
  if (hollow.length > 0) {
    signals.push({
      code: "virtual-only-section",
      strength: "weak",
      message: `executable section(s) with no file data but a large virtual size: ${hollow.map((s) => s.name).join(", ")}`,
    });
  }

  const strong = signals.some((s) => s.strength === "strong");
  const weak = signals.filter((s) => s.strength === "weak").length;
  return { packed: strong || weak >= PACKED_SIGNAL_COUNT, signals };
}
