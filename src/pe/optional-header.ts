/**
 * IMAGE_OPTIONAL_HEADER32 (PE32, magic 0x10B) and IMAGE_OPTIONAL_HEADER64 (PE32+, magic 0x20B),
 * including the CheckSum field's file offset (excluded from the authentihash) and the data
 * directories with the file offset of each 8-byte entry.
 *
 * Source: PE/COFF specification §3.4 "Optional Header (Image Only)", §3.4.1–3.4.3 (standard
 * fields, Windows-specific fields, data directories).
 */
import { PeFormatError } from "./errors.js";
import { MAX_DATA_DIRECTORIES } from "./limits.js";
import type { ParseContext } from "./parse-context.js";
import type { DataDirectory, OptionalHeader } from "./types.js";

/** Optional-header magic of PE32 images. */
export const IMAGE_NT_OPTIONAL_HDR32_MAGIC = 0x10b;
/** Optional-header magic of PE32+ images. */
export const IMAGE_NT_OPTIONAL_HDR64_MAGIC = 0x20b;
/** Offset of CheckSum inside the optional header (same for PE32 and PE32+). */
export const CHECKSUM_FIELD_OFFSET = 64;
/** Bytes of the PE32 optional header before the data directories. */
export const PE32_FIXED_SIZE = 96;
/** Bytes of the PE32+ optional header before the data directories. */
export const PE32_PLUS_FIXED_SIZE = 112;

/** IMAGE_DIRECTORY_ENTRY_* names, by index (spec §3.4.3). */
export const DATA_DIRECTORY_NAMES: readonly string[] = [
  "EXPORT",
  "IMPORT",
  "RESOURCE",
  "EXCEPTION",
  "SECURITY",
  "BASERELOC",
  "DEBUG",
  "ARCHITECTURE",
  "GLOBALPTR",
  "TLS",
  "LOAD_CONFIG",
  "BOUND_IMPORT",
  "IAT",
  "DELAY_IMPORT",
  "COM_DESCRIPTOR",
  "RESERVED",
];

/** Data directory index of the export table. */
export const IMAGE_DIRECTORY_ENTRY_EXPORT = 0;
/** Data directory index of the import table. */
export const IMAGE_DIRECTORY_ENTRY_IMPORT = 1;
/** Data directory index of the resource table. */
export const IMAGE_DIRECTORY_ENTRY_RESOURCE = 2;
/** Data directory index of the attribute certificate table (its VirtualAddress is a file offset). */
export const IMAGE_DIRECTORY_ENTRY_SECURITY = 4;
/** Data directory index of the delay-load import descriptors. */
export const IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT = 13;

/**
 * Reads the optional header at `offset` (COFF header + 20). The fixed fields and the data
 * directory entries must be inside the file, and the magic must be known; both are fatal.
 * A SizeOfOptionalHeader too small for the fields, or NumberOfRvaAndSizes above 16, is a note.
 * @param sizeOfOptionalHeader - from the COFF header, bytes.
 * @throws PeFormatError `truncated`, `bad-optional-header-magic`.
 */
export function parseOptionalHeader(
  ctx: ParseContext,
  offset: number,
  sizeOfOptionalHeader: number,
): OptionalHeader {
  const r = ctx.reader;
  const structure = "IMAGE_OPTIONAL_HEADER";
  const magic = r.u16(offset, structure);
  if (magic !== IMAGE_NT_OPTIONAL_HDR32_MAGIC && magic !== IMAGE_NT_OPTIONAL_HDR64_MAGIC) {
    throw new PeFormatError(
      "bad-optional-header-magic",
      `Optional header magic 0x${magic.toString(16)} is neither PE32 (0x10b) nor PE32+ (0x20b)`,
      { offset, structure },
    );
  }
  const pe32Plus = magic === IMAGE_NT_OPTIONAL_HDR64_MAGIC;
  const fixed = pe32Plus ? PE32_PLUS_FIXED_SIZE : PE32_FIXED_SIZE;
  const structureName = pe32Plus ? "IMAGE_OPTIONAL_HEADER64" : "IMAGE_OPTIONAL_HEADER32";
  r.require(offset, fixed, structureName);
  if (sizeOfOptionalHeader < fixed) {
    ctx.note(
      "optional-header-size-too-small",
      "IMAGE_FILE_HEADER",
      offset - 4,
      `SizeOfOptionalHeader (${sizeOfOptionalHeader}) is smaller than the ${structureName} fields (${fixed})`,
    );
  }
  const numberOfRvaAndSizes = r.u32(offset + fixed - 4, structureName);
  if (numberOfRvaAndSizes > MAX_DATA_DIRECTORIES) {
    ctx.note(
      "number-of-rva-and-sizes-over-16",
      structureName,
      offset + fixed - 4,
      `NumberOfRvaAndSizes is ${numberOfRvaAndSizes}; only the 16 defined directories are read`,
    );
  }
  const roomInHeader = Math.max(0, Math.floor((sizeOfOptionalHeader - fixed) / 8));
  const count = Math.min(numberOfRvaAndSizes, MAX_DATA_DIRECTORIES);
  if (roomInHeader < count) {
    // The loader reads the directories NumberOfRvaAndSizes says, wherever SizeOfOptionalHeader
    // puts the section table (RtlImageDirectoryEntryToData checks only NumberOfRvaAndSizes).
    ctx.note(
      "data-directories-beyond-optional-header",
      structureName,
      offset + fixed,
      `NumberOfRvaAndSizes (${numberOfRvaAndSizes}) needs more room than SizeOfOptionalHeader (${sizeOfOptionalHeader}) gives (${roomInHeader}); reading ${count}, as the loader does`,
    );
  }
  r.require(offset + fixed, count * 8, "IMAGE_DATA_DIRECTORY");
  const dataDirectories: DataDirectory[] = [];
  for (let index = 0; index < count; index++) {
    const entryOffset = offset + fixed + index * 8;
    dataDirectories.push({
      index,
      name: DATA_DIRECTORY_NAMES[index] ?? `UNKNOWN_${index}`,
      virtualAddress: r.u32(entryOffset, "IMAGE_DATA_DIRECTORY"),
      size: r.u32(entryOffset + 4, "IMAGE_DATA_DIRECTORY"),
      entryOffset,
    });
  }
  return {
    offset,
    magic,
    format: pe32Plus ? "PE32+" : "PE32",
    addressOfEntryPoint: r.u32(offset + 16, structureName),
    baseOfCode: r.u32(offset + 20, structureName),
    imageBase: pe32Plus ? r.u64(offset + 24, structureName) : BigInt(r.u32(offset + 28, structureName)),
    sectionAlignment: r.u32(offset + 32, structureName),
    fileAlignment: r.u32(offset + 36, structureName),
    majorSubsystemVersion: r.u16(offset + 48, structureName),
    sizeOfImage: r.u32(offset + 56, structureName),
    sizeOfHeaders: r.u32(offset + 60, structureName),
    checkSum: r.u32(offset + CHECKSUM_FIELD_OFFSET, structureName),
    checkSumOffset: offset + CHECKSUM_FIELD_OFFSET,
    subsystem: r.u16(offset + 68, structureName),
    dllCharacteristics: r.u16(offset + 70, structureName),
    numberOfRvaAndSizes,
    dataDirectories,
  };
}

/** The data directory at `index`, when present and non-empty (VirtualAddress and Size ≠ 0). */
export function directory(header: OptionalHeader, index: number): DataDirectory | undefined {
  const d = header.dataDirectories[index];
  return d !== undefined && (d.virtualAddress !== 0 || d.size !== 0) ? d : undefined;
}
