/**
 * `parsePe()`: the PE/COFF image parser. Reads the headers (fatal when unreadable), then every
 * optional structure (sections, imports, delay imports, exports, resources and version info,
 * certificate table), then walks the file's bytes once (./byte-walk.ts) for the loader checksum,
 * each section's entropy and the overlay's, feeding the caller's digests on the way. Pure: bytes
 * in, data out; the file is never copied (all payloads are subarrays).
 *
 * Source: Microsoft "PE Format" specification (PE/COFF); see each sub-parser's header for the
 * section it implements.
 */
import { parseCertificateTable } from "./certificate-table.js";
import { walkFileBytes, type ByteSink } from "./byte-walk.js";
import { parseDelayImportDirectory } from "./delay-import-directory.js";
import { parseDosHeader } from "./dos-header.js";
import { parseExportDirectory } from "./export-directory.js";
import { IMAGE_FILE_HEADER_SIZE, parseFileHeader } from "./file-header.js";
import { parseImportDirectory } from "./import-directory.js";
import { MAX_IMPORT_FUNCTIONS_TOTAL } from "./limits.js";
import {
  IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT,
  IMAGE_DIRECTORY_ENTRY_EXPORT,
  IMAGE_DIRECTORY_ENTRY_IMPORT,
  IMAGE_DIRECTORY_ENTRY_RESOURCE,
  IMAGE_DIRECTORY_ENTRY_SECURITY,
  directory,
  parseOptionalHeader,
} from "./optional-header.js";
import { overlayRuns } from "./overlay.js";
import { PeFormatError } from "./errors.js";
import { ParseContext, type PeParseMode } from "./parse-context.js";
import { RT_VERSION, parseResourceDirectory } from "./resource-directory.js";
import { RvaMapper } from "./rva.js";
import { IMAGE_SECTION_HEADER_SIZE, parseSectionTable, sectionSpans } from "./section-table.js";
import type { DataDirectory, ImportedModule, PeImage } from "./types.js";
import { parseVersionInfo } from "./version-info.js";

/** Options of {@link parsePe}. */
export interface ParsePeOptions {
  /**
   * `"permissive"` (default): problems after the headers are recorded in `anomalies` and parsing
   * continues with what could be read. `"strict"`: the first such problem throws.
   */
  mode?: PeParseMode;
  /**
   * Digests (or any {@link ByteSink}) fed every byte of the file, in order, during the one walk
   * over it: triage's file sha256 shares the read with the checksum and the entropies. Fed only
   * when parsing gets that far (not when the headers are refused).
   */
  digests?: readonly ByteSink[];
}

/**
 * The walk every PE reader starts with: DOS header, file header, optional header, section table
 * and the RVA mapper over them (PE/COFF §3, §4). {@link parsePe} and `parsePeImports` share it.
 * Reads the headers only (section entropy is 0 here).
 * @param headers - where the DOS, file and optional headers are read (default: `ctx`; see
 *   {@link parseMappedHeaders}); the section table and everything after are read from `ctx`.
 * @throws PeFormatError as {@link parsePe} does for its headers and section table.
 */
export function parseImageHeaders(ctx: ParseContext, headers: ParseContext = ctx) {
  const dos = parseDosHeader(headers);
  const fileHeader = parseFileHeader(headers, dos.lfanew);
  const optionalHeaderOffset = fileHeader.offset + IMAGE_FILE_HEADER_SIZE;
  const optionalHeader = parseOptionalHeader(headers, optionalHeaderOffset, fileHeader.sizeOfOptionalHeader);
  const pe32Plus = optionalHeader.format === "PE32+";
  const sectionTableOffset = optionalHeaderOffset + fileHeader.sizeOfOptionalHeader;
  const sections = parseSectionTable(
    ctx,
    sectionTableOffset,
    fileHeader.numberOfSections,
    optionalHeader.fileAlignment,
  );
  // Every header the loader reads maps RVAs, also past the analysed ones (section-table.ts).
  const spans = sectionSpans(
    ctx,
    sectionTableOffset,
    fileHeader.numberOfSections,
    optionalHeader.fileAlignment,
    sections,
  );
  const mapper = new RvaMapper(
    spans,
    optionalHeader.sizeOfHeaders,
    optionalHeader.sectionAlignment,
    ctx.size,
    optionalHeader.sizeOfImage,
  );
  return { dos, fileHeader, optionalHeader, pe32Plus, sectionTableOffset, sections, mapper };
}

/** The loader maps a file in pages: what lies past its end, up to the page's end, reads as zeros. */
const LOADER_PAGE_BYTES = 4096;

/**
 * {@link parseImageHeaders} as the loader sees a file that ends inside its headers: it maps the
 * file's last page whole, so header fields past the end read as zeros. Windows XP loads such
 * files (a 97-byte PE whose optional header is cut short, say); refusing them as `truncated`
 * would let a loadable module pass as "not a PE". Only in permissive mode, only for the DOS,
 * file and optional headers, and only within the last page; the file's size, the section table
 * and all data stay the file's own. Notes `headers-past-end-of-file`.
 * @throws PeFormatError as {@link parseImageHeaders}: the original `truncated` when the headers
 *   do not fit within the last page either.
 */
function parseMappedHeaders(ctx: ParseContext, bytes: Uint8Array) {
  try {
    return parseImageHeaders(ctx);
  } catch (error) {
    const pageEnd = Math.ceil(Math.max(1, bytes.length) / LOADER_PAGE_BYTES) * LOADER_PAGE_BYTES;
    const retry =
      error instanceof PeFormatError &&
      error.code === "truncated" &&
      ctx.mode === "permissive" &&
      pageEnd > bytes.length;
    if (!retry) throw error;
    // Zeros past the end; of the file, only what the header parse reads is copied: the DOS
    // header and everything from e_lfanew on (short, since the headers are cut by the end).
    // A copy of the whole file would double the memory of a large file with a short tail.
    const padded = new Uint8Array(pageEnd);
    padded.set(bytes.subarray(0, 64));
    const lfanew =
      bytes.length >= 64 ? new DataView(bytes.buffer, bytes.byteOffset, 64).getUint32(0x3c, true) : 0;
    if (lfanew < bytes.length) padded.set(bytes.subarray(lfanew), lfanew);
    const headers = new ParseContext(padded, "permissive");
    let parsed: ReturnType<typeof parseImageHeaders>;
    try {
      parsed = parseImageHeaders(ctx, headers);
    } catch {
      throw error;
    }
    ctx.note(
      "headers-past-end-of-file",
      error.structure ?? "IMAGE_NT_HEADERS",
      bytes.length,
      `The headers run past the end of the file (${bytes.length} bytes); read as zeros there, as the loader maps the file's last page (${error.message})`,
    );
    for (const a of headers.anomalies) ctx.note(a.code, a.structure, a.offset, a.message);
    return parsed;
  }
}

/**
 * The one walk over the file's bytes (./byte-walk.ts): sets each section's entropy, the overlay
 * (with its entropy) and the computed checksum of `image`, and feeds `options.digests`.
 * @param headersEnd - end of the section table (file offset); the overlay never starts before it.
 */
function measureBytes(image: PeImage, bytes: Uint8Array, headersEnd: number, options: ParsePeOptions): void {
  const { sections } = image;
  const overlay = overlayRuns(bytes.length, sections, headersEnd, image.certificateTable);
  const walk = walkFileBytes(
    bytes,
    [
      ...sections.map((s) => [{ start: s.rawDataOffset!, end: s.rawDataOffset! + s.rawDataSizeInFile! }]),
      overlay.runs,
    ],
    image.optionalHeader.checkSumOffset,
    options.digests,
  );
  for (const [i, s] of sections.entries()) s.entropy = walk.groups[i]!.entropy;
  const overlayBytes = walk.groups[sections.length]!;
  image.overlay = { offset: overlay.offset, size: overlayBytes.size, entropy: overlayBytes.entropy };
  image.computedCheckSum = walk.checksum;
}

/**
 * Parses a PE/COFF image (PE32 or PE32+).
 *
 * @param bytes - the whole file; not copied, and payloads in the result (certificates) are
 *   subarrays of it.
 * @returns the parsed image; `anomalies` lists what was forgiven (permissive) and oddities.
 * @throws PeFormatError always for `not-pe`, `bad-dos-signature`, `bad-lfanew`,
 *   `bad-nt-signature`, `bad-optional-header-magic`, and `truncated` DOS/COFF/optional headers;
 *   in strict mode also for every problem that permissive mode records (`truncated`,
 *   `rva-unmapped`, `count-over-limit`, `cycle`, `malformed`).
 */
export function parsePe(bytes: Uint8Array, options: ParsePeOptions = {}): PeImage {
  const ctx = new ParseContext(bytes, options.mode ?? "permissive");
  const { dos, fileHeader, optionalHeader, pe32Plus, sectionTableOffset, sections, mapper } =
    parseMappedHeaders(ctx, bytes);

  // A directory whose RVA maps nowhere (typical of truncated files) is reported against its
  // data-directory entry without throwing, so permissive parsing of broken files stays cheap.
  const mappedDirectory = (index: number, structure: string): DataDirectory | undefined => {
    const dir = directory(optionalHeader, index);
    if (dir === undefined) return undefined;
    if (dir.virtualAddress === 0) {
      // Windows ignores a directory whose VirtualAddress is 0 (it would point at the DOS header).
      ctx.note(
        "data-directory-rva-zero",
        "IMAGE_DATA_DIRECTORY",
        dir.entryOffset,
        `Data directory ${dir.name} has Size ${dir.size} but VirtualAddress 0; ignored`,
      );
      return undefined;
    }
    if (mapper.resolve(dir.virtualAddress) !== undefined) return dir;
    ctx.problem(
      "rva-unmapped",
      "rva-unmapped",
      structure,
      dir.entryOffset,
      `${structure}: data directory ${dir.name} RVA 0x${dir.virtualAddress.toString(16)} maps to no file offset`,
    );
    return undefined;
  };

  const budget = { remaining: MAX_IMPORT_FUNCTIONS_TOTAL };
  const imports: ImportedModule[] = [];
  const importDir = mappedDirectory(IMAGE_DIRECTORY_ENTRY_IMPORT, "IMAGE_IMPORT_DESCRIPTOR");
  if (importDir !== undefined)
    imports.push(...parseImportDirectory(ctx, mapper, importDir.virtualAddress, pe32Plus, budget));
  const delayDir = mappedDirectory(IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT, "IMAGE_DELAYLOAD_DESCRIPTOR");
  if (delayDir !== undefined) {
    imports.push(
      ...parseDelayImportDirectory(
        ctx,
        mapper,
        delayDir.virtualAddress,
        pe32Plus,
        optionalHeader.imageBase,
        budget,
      ),
    );
  }

  const image: PeImage = {
    size: ctx.size,
    dos,
    fileHeader,
    optionalHeader,
    sections,
    imports,
    overlay: { offset: 0, size: 0, entropy: 0 },
    // Set by the walk below, once the certificate table (which bounds the overlay) is known.
    computedCheckSum: 0,
    anomalies: ctx.anomalies,
  };

  const exportDir = mappedDirectory(IMAGE_DIRECTORY_ENTRY_EXPORT, "IMAGE_EXPORT_DIRECTORY");
  if (exportDir !== undefined) {
    const exports = ctx.guard("IMAGE_EXPORT_DIRECTORY", undefined, () =>
      parseExportDirectory(ctx, mapper, exportDir.virtualAddress, exportDir.size),
    );
    if (exports !== undefined) image.exports = exports;
  }

  const resourceDir = mappedDirectory(IMAGE_DIRECTORY_ENTRY_RESOURCE, "IMAGE_RESOURCE_DIRECTORY");
  if (resourceDir !== undefined) {
    const resources = parseResourceDirectory(ctx, mapper, resourceDir.virtualAddress);
    image.resources = resources;
    const version = resources.find((leaf) => leaf.type === RT_VERSION);
    if (version !== undefined) {
      const m = mapper.resolve(version.dataRva);
      if (m === undefined) {
        ctx.problem(
          "rva-unmapped",
          "version-resource-rva-unmapped",
          "IMAGE_RESOURCE_DATA_ENTRY",
          undefined,
          `RT_VERSION data RVA 0x${version.dataRva.toString(16)} maps to no file offset`,
        );
      } else {
        if (m.available < version.size) {
          ctx.problem(
            "truncated",
            "version-resource-truncated",
            "IMAGE_RESOURCE_DATA_ENTRY",
            m.offset,
            `RT_VERSION data declares ${version.size} bytes, ${m.available} are mapped`,
          );
        }
        image.versionInfo = parseVersionInfo(ctx, m.offset, Math.min(version.size, m.available));
      }
    }
  }

  const securityDir = directory(optionalHeader, IMAGE_DIRECTORY_ENTRY_SECURITY);
  if (securityDir !== undefined) image.certificateTable = parseCertificateTable(ctx, securityDir);

  measureBytes(image, bytes, sectionTableOffset + sections.length * IMAGE_SECTION_HEADER_SIZE, options);

  const ep = optionalHeader.addressOfEntryPoint;
  const epSection = sections.find(
    (s) => ep >= s.virtualAddress && ep < s.virtualAddress + Math.max(s.virtualSize, s.sizeOfRawData),
  );
  if (epSection !== undefined) image.entryPointSection = epSection.name;
  return image;
}
