/**
 * `parsePeImports()`: the headers and the import tables of a PE image and nothing else: no
 * entropy, checksum, exports, resources or certificate table. For callers that only need to know
 * which DLLs an image loads (the side-loading search reads every module of a folder).
 * The sub-parsers are those of {@link parsePe}, so the `imports` are the same.
 *
 * Source: PE/COFF specification §3 (headers), §4 (section table), §5.8 (delay-load import
 * tables), §6.4 (the .idata section).
 */
import { parseDelayImportDirectory } from "./delay-import-directory.js";
import { parseImportDirectory } from "./import-directory.js";
import { MAX_IMPORT_FUNCTIONS_TOTAL } from "./limits.js";
import {
  IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT,
  IMAGE_DIRECTORY_ENTRY_IMPORT,
  directory,
} from "./optional-header.js";
import { ParseContext } from "./parse-context.js";
import { parseImageHeaders, type ParsePeOptions } from "./parse-pe.js";
import type { FileHeader, ImportedModule, OptionalHeader, PeAnomaly } from "./types.js";

/** What {@link parsePeImports} reads. */
export interface PeImportTables {
  fileHeader: FileHeader;
  optionalHeader: OptionalHeader;
  /** Imports, then delay-load imports, as in `PeImage.imports`. */
  imports: ImportedModule[];
  anomalies: PeAnomaly[];
}

/**
 * Parses the headers, section table and the import and delay-load import directories.
 * @param bytes - the whole file (not copied).
 * @returns the import tables; `anomalies` lists what a permissive parse forgave.
 * @throws PeFormatError as {@link parsePe} does for unreadable headers (both modes) and, in
 *   strict mode, for problems in the section table or import tables.
 */
export function parsePeImports(bytes: Uint8Array, options: ParsePeOptions = {}): PeImportTables {
  const ctx = new ParseContext(bytes, options.mode ?? "permissive");
  const { fileHeader, optionalHeader, pe32Plus, mapper } = parseImageHeaders(ctx);
  // Unlike parsePe, an unmapped or zero directory is skipped without an anomaly: nobody reads them.
  const rvaOf = (index: number): number | undefined => {
    const dir = directory(optionalHeader, index);
    if (dir === undefined || dir.virtualAddress === 0) return undefined;
    return mapper.resolve(dir.virtualAddress) === undefined ? undefined : dir.virtualAddress;
  };
  const budget = { remaining: MAX_IMPORT_FUNCTIONS_TOTAL };
  const imports: ImportedModule[] = [];
  const importRva = rvaOf(IMAGE_DIRECTORY_ENTRY_IMPORT);
  if (importRva !== undefined)
    imports.push(...parseImportDirectory(ctx, mapper, importRva, pe32Plus, budget));
  const delayRva = rvaOf(IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT);
  if (delayRva !== undefined) {
    imports.push(
      ...parseDelayImportDirectory(ctx, mapper, delayRva, pe32Plus, optionalHeader.imageBase, budget),
    );
  }
  return { fileHeader, optionalHeader, imports, anomalies: ctx.anomalies };
}
