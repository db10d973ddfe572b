/**
 * `parsePeImports()`: the headers and the import tables of a PE image and nothing else: no
 * entropy, checksum, exports, resources or certificate table. For callers that only need to know
 * which DLLs an image loads (the side-loading search reads every module of a folder).
 * The sub-parsers are those of {@link parsePe}, so the `imports` are the same.
 *
 * `readPeImports()` gives the same result for a file read by ranges: only the blocks the parse
 * looks at (the headers, the import descriptors and the DLL names: a few KiB) are read, not the
 * whole file.
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
import type { ScratchBuffer } from "../util/scratch-buffer.js";

/** What {@link parsePeImports} reads. */
export interface PeImportTables {
  fileHeader: FileHeader;
  optionalHeader: OptionalHeader;
  /** Imports, then delay-load imports, as in `PeImage.imports`. */
  imports: ImportedModule[];
  anomalies: PeAnomaly[];
}

/** Options of {@link parsePeImports}. */
export interface ParsePeImportsOptions extends Pick<ParsePeOptions, "mode"> {
  /**
   * `false`: the DLL names only, each module's `functions` left empty and its lookup table
   * unread (default `true`). In permissive mode the modules and their `delayLoad` are those of
   * a full parse: a bad lookup table only ever ends its own module's functions.
   */
  functions?: boolean;
}

/**
 * Parses the headers, section table and the import and delay-load import directories.
 * @param bytes - the whole file (not copied).
 * @returns the import tables; `anomalies` lists what a permissive parse forgave.
 * @throws PeFormatError as {@link parsePe} does for unreadable headers (both modes) and, in
 *   strict mode, for problems in the section table or import tables.
 */
export function parsePeImports(bytes: Uint8Array, options: ParsePeImportsOptions = {}): PeImportTables {
  return parseImports(new ParseContext(bytes, options.mode ?? "permissive"), options);
}

function parseImports(ctx: ParseContext, options: ParsePeImportsOptions): PeImportTables {
  const { fileHeader, optionalHeader, pe32Plus, mapper } = parseImageHeaders(ctx);
  // Unlike parsePe, an unmapped or zero directory is skipped without an anomaly: nobody reads them.
  const rvaOf = (index: number): number | undefined => {
    const dir = directory(optionalHeader, index);
    if (dir === undefined || dir.virtualAddress === 0) return undefined;
    return mapper.resolve(dir.virtualAddress) === undefined ? undefined : dir.virtualAddress;
  };
  const functions = options.functions ?? true;
  const budget = { remaining: MAX_IMPORT_FUNCTIONS_TOTAL };
  const imports: ImportedModule[] = [];
  const importRva = rvaOf(IMAGE_DIRECTORY_ENTRY_IMPORT);
  if (importRva !== undefined)
    imports.push(...parseImportDirectory(ctx, mapper, importRva, pe32Plus, budget, functions));
  const delayRva = rvaOf(IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT);
  if (delayRva !== undefined) {
    imports.push(
      ...parseDelayImportDirectory(
        ctx,
        mapper,
        delayRva,
        pe32Plus,
        optionalHeader.imageBase,
        budget,
        functions,
      ),
    );
  }
  return { fileHeader, optionalHeader, imports, anomalies: ctx.anomalies };
}

/**
 * Reads `length` bytes at `offset` of a file (inside its size): the bytes, or `undefined` when
 * they cannot be read (an I/O error, or the file is shorter than it was).
 */
export type ReadFileRange = (offset: number, length: number) => Promise<Uint8Array | undefined>;

/** Options of {@link readPeImports}. */
export interface ReadPeImportsOptions extends ParsePeImportsOptions {
  /**
   * The buffer that holds the blocks read (src/util/scratch-buffer.ts), reused from one file to
   * the next; by default a new one. What it held before does not matter: a parse looks only at
   * blocks this call read.
   */
  into?: ScratchBuffer;
}

/** Bytes per read of {@link readPeImports}: file offsets are read in aligned blocks of this size. */
export const IMPORT_READ_BLOCK_BYTES = 16 * 1024;
/** Parses after which {@link readPeImports} reads the rest of the file at once. */
export const IMPORT_READ_ROUNDS = 12;

/** A parse of a partly read file looked at bytes not read yet (never leaves {@link readPeImports}). */
class NotReadYet extends Error {
  constructor(
    readonly offset: number,
    readonly length: number,
  ) {
    super(`bytes [${offset}, ${offset + length}) not read yet`);
  }
}

/**
 * {@link parsePeImports} of a file of `size` bytes read by ranges through `read`: reads its first
 * block, parses, and each time the parse looks at a block not read yet (the import descriptors,
 * a DLL name), reads it and parses again. A parse sees only bytes that were read (the reader
 * stops it at the first other one), so the result is that of {@link parsePeImports} over the
 * whole file; after {@link IMPORT_READ_ROUNDS} parses the rest of the file is read at once,
 * which bounds the work for an image whose names are scattered over many blocks.
 * @param size - the file's size in bytes; a buffer of that size holds the blocks read.
 * @returns the import tables, or `undefined` when a read failed.
 * @throws PeFormatError as {@link parsePeImports} does.
 */
export async function readPeImports(
  size: number,
  read: ReadFileRange,
  options: ReadPeImportsOptions = {},
): Promise<PeImportTables | undefined> {
  const bytes =
    options.into === undefined ? new Uint8Array(size) : options.into.claim(size).subarray(0, size);
  const blocks = Math.ceil(size / IMPORT_READ_BLOCK_BYTES);
  const loaded = new Uint8Array(blocks);
  /** Reads blocks [first, last] not read yet; false when a read fails. */
  const load = async (first: number, last: number): Promise<boolean> => {
    for (let b = first; b <= last; b++) {
      if (loaded[b] === 1) continue;
      let end = b + 1;
      while (end <= last && loaded[end] === 0) end++;
      const start = b * IMPORT_READ_BLOCK_BYTES;
      const length = Math.min(size, end * IMPORT_READ_BLOCK_BYTES) - start;
      const got = await read(start, length);
      if (got === undefined || got.length !== length) return false;
      bytes.set(got, start);
      loaded.fill(1, b, end);
      b = end - 1;
    }
    return true;
  };
  const ensureRead = (offset: number, length: number) => {
    if (length <= 0) return;
    const last = Math.floor((offset + length - 1) / IMPORT_READ_BLOCK_BYTES);
    for (let b = Math.floor(offset / IMPORT_READ_BLOCK_BYTES); b <= last; b++)
      if (loaded[b] !== 1) throw new NotReadYet(offset, length);
  };
  if (blocks > 0 && !(await load(0, 0))) return undefined;
  // Terminates: every round but the last reads at least one block not read before.
  for (let round = 1; ; round++) {
    try {
      return parseImports(new ParseContext(bytes, options.mode ?? "permissive", { ensureRead }), options);
    } catch (e) {
      if (!(e instanceof NotReadYet)) throw e;
      const first = Math.floor(e.offset / IMPORT_READ_BLOCK_BYTES);
      const last =
        round < IMPORT_READ_ROUNDS
          ? Math.floor((e.offset + e.length - 1) / IMPORT_READ_BLOCK_BYTES)
          : blocks - 1;
      if (!(await load(round < IMPORT_READ_ROUNDS ? first : 0, last))) return undefined;
    }
  }
}
