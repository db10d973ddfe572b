/**
 * The section table: NumberOfSections IMAGE_SECTION_HEADERs (40 bytes each) right after the
 * optional header, plus derived facts per section (executable / writable flags, the file offset
 * the loader really reads from, how much raw data is inside the file). The entropy of each
 * section's raw data is taken by parsePe's one walk over the file (./byte-walk.ts).
 *
 * Source: PE/COFF specification §4 "Section Table (Section Headers)" and §4.1 "Section Flags".
 * Where we follow the Windows loader rather than the spec (PointerToRawData rounded down to 512),
 * the comment says so.
 */
import { MAX_SECTIONS } from "./limits.js";
import type { ParseContext } from "./parse-context.js";
import type { SectionLike } from "./rva.js";
import type { SectionHeader } from "./types.js";
import { latin1 } from "../util/byte-reader.js";

/** Size of IMAGE_SECTION_HEADER in bytes. */
export const IMAGE_SECTION_HEADER_SIZE = 40;
/** IMAGE_SCN_CNT_CODE. */
export const IMAGE_SCN_CNT_CODE = 0x00000020;
/** IMAGE_SCN_MEM_EXECUTE. */
export const IMAGE_SCN_MEM_EXECUTE = 0x20000000;
/** IMAGE_SCN_MEM_WRITE. */
export const IMAGE_SCN_MEM_WRITE = 0x80000000;
/**
 * The Windows loader rounds PointerToRawData down to a multiple of 512 whatever FileAlignment
 * says, when FileAlignment is at least 512 (pefile `adjust_FileAlignment` reproduces it).
 */
export const LOADER_RAW_ALIGNMENT = 0x200;

/**
 * What the RVA mapper reads of every NumberOfSections header that lies in the file (at most
 * 65,535, the field's range), past {@link MAX_SECTIONS} too: Vista and later load that many
 * sections, so an image can keep its import table in its 97th. The first {@link MAX_SECTIONS}
 * are `analysed` (the parsed headers); the rest are read here, four fields each, with the
 * loader's `rawDataOffset` ({@link loaderRawOffset}).
 */
export function sectionSpans(
  ctx: ParseContext,
  offset: number,
  numberOfSections: number,
  fileAlignment: number,
  analysed: readonly SectionHeader[],
): SectionLike[] {
  const spans: SectionLike[] = analysed.map((h) => ({
    virtualAddress: h.virtualAddress,
    virtualSize: h.virtualSize,
    sizeOfRawData: h.sizeOfRawData,
    rawDataOffset: h.rawDataOffset ?? h.pointerToRawData,
  }));
  if (numberOfSections <= MAX_SECTIONS) return spans;
  const r = ctx.reader;
  const fit = Math.max(0, Math.floor((r.size - offset) / IMAGE_SECTION_HEADER_SIZE));
  const s = "IMAGE_SECTION_HEADER";
  // From where the analysed headers stop (the cap, or an all-zero header taken as the table's
  // end): the loader reads on, and a zero header maps nothing.
  for (let i = analysed.length; i < Math.min(numberOfSections, fit); i++) {
    const h = offset + i * IMAGE_SECTION_HEADER_SIZE;
    const sizeOfRawData = r.u32(h + 16, s);
    const pointerToRawData = r.u32(h + 20, s);
    spans.push({
      virtualAddress: r.u32(h + 12, s),
      virtualSize: r.u32(h + 8, s),
      sizeOfRawData,
      rawDataOffset:
        sizeOfRawData === 0 ? pointerToRawData : loaderRawOffset(pointerToRawData, fileAlignment),
    });
  }
  return spans;
}

/** PointerToRawData as the loader uses it (rounded down to 512 when FileAlignment ≥ 512). */
export function loaderRawOffset(pointerToRawData: number, fileAlignment: number): number {
  return fileAlignment >= LOADER_RAW_ALIGNMENT
    ? pointerToRawData - (pointerToRawData % LOADER_RAW_ALIGNMENT)
    : pointerToRawData;
}

/**
 * Reads the section table at `offset`. More than {@link MAX_SECTIONS} sections, or headers past
 * the end of the file, are problems (strict: thrown; permissive: the headers that fit are kept).
 * Raw data past EOF is a problem too. Only the headers are read: `entropy` is 0 here.
 * @param offset - file offset of the first IMAGE_SECTION_HEADER.
 * @param fileAlignment - the optional header's FileAlignment.
 * @throws PeFormatError in strict mode: `count-over-limit`, `truncated`.
 */
export function parseSectionTable(
  ctx: ParseContext,
  offset: number,
  numberOfSections: number,
  fileAlignment: number,
): SectionHeader[] {
  const r = ctx.reader;
  let count = numberOfSections;
  if (count > MAX_SECTIONS) {
    ctx.problem(
      "count-over-limit",
      "section-count-over-limit",
      "IMAGE_FILE_HEADER",
      undefined,
      `NumberOfSections is ${numberOfSections}; Windows XP loads at most ${MAX_SECTIONS} (Vista and later 65,535): the first ${MAX_SECTIONS} are analysed, every header maps RVAs`,
    );
    count = MAX_SECTIONS;
  }
  const fit = Math.max(0, Math.floor((r.size - offset) / IMAGE_SECTION_HEADER_SIZE));
  if (fit < count) {
    ctx.problem(
      "truncated",
      "section-table-truncated",
      "IMAGE_SECTION_HEADER",
      offset + fit * IMAGE_SECTION_HEADER_SIZE,
      `The section table declares ${count} headers but only ${fit} fit in the file`,
    );
    count = fit;
  }
  const overLimit = numberOfSections > MAX_SECTIONS;
  const sections: SectionHeader[] = [];
  for (let i = 0; i < count; i++) {
    const h = offset + i * IMAGE_SECTION_HEADER_SIZE;
    const s = "IMAGE_SECTION_HEADER";
    if (overLimit && isAllZero(r.bytes(h, IMAGE_SECTION_HEADER_SIZE, s))) {
      // NumberOfSections is already invalid: like pefile, take an all-zero header as the real end
      // of the table rather than reading garbage up to the cap.
      ctx.note(
        "section-table-ends-early",
        s,
        h,
        `Section header ${i} is all zeros; the table is taken to end there`,
      );
      break;
    }
    const nameBytes = r.bytes(h, 8, s);
    const nul = nameBytes.indexOf(0);
    const name = latin1(nul < 0 ? nameBytes : nameBytes.subarray(0, nul));
    const virtualSize = r.u32(h + 8, s);
    const virtualAddress = r.u32(h + 12, s);
    const sizeOfRawData = r.u32(h + 16, s);
    const pointerToRawData = r.u32(h + 20, s);
    const characteristics = r.u32(h + 36, s);
    const rawDataOffset =
      sizeOfRawData === 0 ? pointerToRawData : loaderRawOffset(pointerToRawData, fileAlignment);
    let rawDataSizeInFile = 0;
    if (sizeOfRawData > 0) {
      const end = rawDataOffset + sizeOfRawData;
      if (end > r.size) {
        ctx.problem(
          "truncated",
          "section-raw-data-past-eof",
          s,
          h + 16,
          `Section ${JSON.stringify(name)}: raw data [0x${rawDataOffset.toString(16)}, 0x${end.toString(16)}) runs past the end of the file (${r.size} bytes)`,
        );
      }
      rawDataSizeInFile = Math.max(0, Math.min(end, r.size) - rawDataOffset);
    }
    sections.push({
      name,
      virtualSize,
      virtualAddress,
      sizeOfRawData,
      pointerToRawData,
      characteristics,
      entropy: 0,
      executable: (characteristics & (IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_CNT_CODE)) !== 0,
      writable: (characteristics & IMAGE_SCN_MEM_WRITE) !== 0,
      headerOffset: h,
      rawDataOffset,
      rawDataSizeInFile,
    });
  }
  return sections;
}

function isAllZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}
