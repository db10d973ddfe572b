/**
 * The import directory (data directory 1): an array of 20-byte IMAGE_IMPORT_DESCRIPTORs ending
 * with an all-zero entry; each names a DLL and points to its import lookup table.
 *
 * Source: PE/COFF specification §6.4 "The .idata Section", §6.4.1 "Import Directory Table".
 */
import { MAX_DLL_NAME_LENGTH, MAX_IMPORT_MODULES } from "./limits.js";
import type { ParseContext } from "./parse-context.js";
import { readThunkArray, type ImportBudget } from "./import-thunks.js";
import { asciizAtRva, type RvaMapper } from "./rva.js";
import type { ImportedModule } from "./types.js";

/** Size of IMAGE_IMPORT_DESCRIPTOR in bytes. */
export const IMAGE_IMPORT_DESCRIPTOR_SIZE = 20;

/**
 * Reads the import directory at `rva`. Uses OriginalFirstThunk (the lookup table) and falls back
 * to FirstThunk (the IAT, which holds the same values on disk) when it is 0 or maps nowhere in
 * the image, like the loader (corkami's maxvals.exe and tinygui.exe import through an
 * OriginalFirstThunk of 0xFFFFFFFF or of code bytes; https://github.com/corkami/pocs/tree/master/PE).
 * In permissive mode a bad descriptor ends the walk and a bad thunk ends its module; what was
 * read is kept.
 * @param pe32Plus - 64-bit thunks.
 * @param budget - shared cap on imported functions ({@link MAX_IMPORT_FUNCTIONS_TOTAL}).
 * @param readFunctions - `false` reads the DLL names only (each module's `functions` is empty).
 * @throws PeFormatError in strict mode: `rva-unmapped`, `truncated`, `count-over-limit`, `malformed`.
 */
export function parseImportDirectory(
  ctx: ParseContext,
  mapper: RvaMapper,
  rva: number,
  pe32Plus: boolean,
  budget: ImportBudget,
  readFunctions = true,
): ImportedModule[] {
  const modules: ImportedModule[] = [];
  const structure = "IMAGE_IMPORT_DESCRIPTOR";
  const r = ctx.reader;
  ctx.guard(structure, undefined, () => {
    // Terminates: at most MAX_IMPORT_MODULES iterations.
    for (let i = 0; ; i++) {
      const at = mapper.require(
        rva + i * IMAGE_IMPORT_DESCRIPTOR_SIZE,
        IMAGE_IMPORT_DESCRIPTOR_SIZE,
        structure,
      );
      const originalFirstThunk = r.u32(at, structure);
      const timeDateStamp = r.u32(at + 4, structure);
      const forwarderChain = r.u32(at + 8, structure);
      const name = r.u32(at + 12, structure);
      const firstThunk = r.u32(at + 16, structure);
      if ((originalFirstThunk | timeDateStamp | forwarderChain | name | firstThunk) === 0) return;
      // The spec ends the table with an all-zero descriptor; the Windows loader already stops at
      // the first descriptor whose Name or FirstThunk is 0. We follow the loader, with a note.
      if (name === 0 || firstThunk === 0) {
        ctx.note(
          "import-descriptor-ends-table",
          structure,
          at,
          "An import descriptor with Name or FirstThunk 0 (but not all zero) ends the table, as in the Windows loader",
        );
        return;
      }
      if (i >= MAX_IMPORT_MODULES) {
        ctx.problem(
          "count-over-limit",
          "import-module-count-over-limit",
          structure,
          at,
          `More than ${MAX_IMPORT_MODULES} import descriptors`,
        );
        return;
      }
      const dll = asciizAtRva(mapper, r, name, MAX_DLL_NAME_LENGTH, structure, at + 12);
      const useLookupTable = originalFirstThunk !== 0 && mapper.resolve(originalFirstThunk) !== undefined;
      if (originalFirstThunk !== 0 && !useLookupTable) {
        ctx.note(
          "import-lookup-table-unmapped",
          structure,
          at,
          `OriginalFirstThunk 0x${originalFirstThunk.toString(16)} maps to no file offset; FirstThunk (the IAT) is read instead, as the loader does`,
        );
      }
      const tableRva = useLookupTable ? originalFirstThunk : firstThunk;
      const fieldOffset = useLookupTable ? at : at + 16;
      const functions =
        tableRva === 0 || !readFunctions
          ? []
          : readThunkArray(
              ctx,
              mapper,
              tableRva,
              pe32Plus,
              undefined,
              "IMAGE_THUNK_DATA",
              fieldOffset,
              budget,
            );
      modules.push({ dll, delayLoad: false, functions });
    }
  });
  return modules;
}
