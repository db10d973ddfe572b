/**
 * The delay-load import directory (data directory 13): an array of 32-byte
 * IMAGE_DELAYLOAD_DESCRIPTORs ending with an all-zero entry. Attributes bit 0 (RvaBased) set
 * means the address fields are RVAs; clear means the old Visual C++ 6 form where they are VAs
 * (ImageBase must be subtracted).
 *
 * Source: PE/COFF specification §5.8 "Delay-Load Import Tables (Image Only)", §5.8.1
 * "The Delay-Load Directory Table"; the VA-based form from the Visual C++ delayimp.h history.
 */
import { PeFormatError } from "./errors.js";
import { MAX_DLL_NAME_LENGTH, MAX_IMPORT_MODULES } from "./limits.js";
import type { ParseContext } from "./parse-context.js";
import { readThunkArray, type ImportBudget } from "./import-thunks.js";
import { asciizAtRva, type RvaMapper } from "./rva.js";
import type { ImportedModule } from "./types.js";

/** Size of IMAGE_DELAYLOAD_DESCRIPTOR in bytes. */
export const IMAGE_DELAYLOAD_DESCRIPTOR_SIZE = 32;
/** Attributes.RvaBased. */
export const DELAYLOAD_RVA_BASED = 0x1;

/**
 * Reads the delay-load directory at `rva`; functions come from the delay import name table.
 * @param imageBase - subtracted from addresses of VA-based descriptors.
 * @param readFunctions - `false` reads the DLL names only (each module's `functions` is empty).
 * @throws PeFormatError in strict mode: `rva-unmapped`, `truncated`, `count-over-limit`, `malformed`.
 */
export function parseDelayImportDirectory(
  ctx: ParseContext,
  mapper: RvaMapper,
  rva: number,
  pe32Plus: boolean,
  imageBase: bigint,
  budget: ImportBudget,
  readFunctions = true,
): ImportedModule[] {
  const modules: ImportedModule[] = [];
  const structure = "IMAGE_DELAYLOAD_DESCRIPTOR";
  const r = ctx.reader;
  ctx.guard(structure, undefined, () => {
    // Terminates: at most MAX_IMPORT_MODULES iterations.
    for (let i = 0; ; i++) {
      const at = mapper.require(
        rva + i * IMAGE_DELAYLOAD_DESCRIPTOR_SIZE,
        IMAGE_DELAYLOAD_DESCRIPTOR_SIZE,
        structure,
      );
      let allZero = true;
      for (let k = 0; k < IMAGE_DELAYLOAD_DESCRIPTOR_SIZE; k += 4)
        if (r.u32(at + k, structure) !== 0) allZero = false;
      if (allZero) return;
      if (i >= MAX_IMPORT_MODULES) {
        ctx.problem(
          "count-over-limit",
          "delay-import-module-count-over-limit",
          structure,
          at,
          `More than ${MAX_IMPORT_MODULES} delay-load descriptors`,
        );
        return;
      }
      const attributes = r.u32(at, structure);
      const rvaBased = (attributes & DELAYLOAD_RVA_BASED) !== 0;
      const toRva = (value: number, fieldOffset: number): number => {
        if (rvaBased || value === 0) return value;
        const delta = BigInt(value) - imageBase;
        if (delta < 0n || delta > 0xffffffffn) {
          throw new PeFormatError(
            "rva-unmapped",
            `${structure}: VA 0x${value.toString(16)} is below ImageBase`,
            { offset: fieldOffset, structure },
          );
        }
        return Number(delta);
      };
      const dllNameRva = toRva(r.u32(at + 4, structure), at + 4);
      const importNameTableRva = toRva(r.u32(at + 16, structure), at + 16);
      if (dllNameRva === 0) {
        ctx.problem(
          "malformed",
          "delay-import-dll-name-missing",
          structure,
          at + 4,
          "DllNameRVA is 0 in a non-empty descriptor",
        );
        return;
      }
      const dll = asciizAtRva(mapper, r, dllNameRva, MAX_DLL_NAME_LENGTH, structure, at + 4);
      const functions =
        importNameTableRva === 0 || !readFunctions
          ? []
          : readThunkArray(
              ctx,
              mapper,
              importNameTableRva,
              pe32Plus,
              rvaBased ? undefined : imageBase,
              "IMAGE_THUNK_DATA",
              at + 16,
              budget,
            );
      modules.push({ dll, delayLoad: true, functions });
    }
  });
  return modules;
}
