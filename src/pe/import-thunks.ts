/**
 * Import lookup tables (IMAGE_THUNK_DATA32 / IMAGE_THUNK_DATA64 arrays) and the
 * IMAGE_IMPORT_BY_NAME entries they point to; shared by the import and delay-import parsers.
 *
 * Source: PE/COFF specification §6.4.2 "Import Lookup Table" and §6.4.3 "Hint/Name Table".
 */
import { PeFormatError } from "./errors.js";
import { MAX_IMPORT_FUNCTIONS_PER_MODULE, MAX_SYMBOL_NAME_LENGTH } from "./limits.js";
import type { ParseContext } from "./parse-context.js";
import { asciizAtRva, type RvaMapper } from "./rva.js";
import type { ImportedFunction } from "./types.js";

/** Remaining number of imported functions the whole parse may still read (shared budget). */
export interface ImportBudget {
  remaining: number;
}

/**
 * Reads one null-terminated thunk array.
 * @param tableRva - RVA of the first thunk.
 * @param pe32Plus - 8-byte thunks with the ordinal flag in bit 63 (else 4-byte, bit 31).
 * @param vaBase - for old VA-based delay-load descriptors, the ImageBase to subtract from each
 *   IMAGE_IMPORT_BY_NAME pointer; `undefined` for RVAs.
 * @param fieldOffset - file offset of the descriptor field that held `tableRva`.
 * @throws PeFormatError (strict mode) `rva-unmapped`, `truncated`, `count-over-limit`, `malformed`.
 */
export function readThunkArray(
  ctx: ParseContext,
  mapper: RvaMapper,
  tableRva: number,
  pe32Plus: boolean,
  vaBase: bigint | undefined,
  structure: string,
  fieldOffset: number,
  budget: ImportBudget,
): ImportedFunction[] {
  const functions: ImportedFunction[] = [];
  // A bad thunk stops this module only; what was read before it is kept (permissive mode).
  ctx.guard(structure, undefined, () =>
    readInto(ctx, mapper, tableRva, pe32Plus, vaBase, structure, fieldOffset, budget, functions),
  );
  return functions;
}

function readInto(
  ctx: ParseContext,
  mapper: RvaMapper,
  tableRva: number,
  pe32Plus: boolean,
  vaBase: bigint | undefined,
  structure: string,
  fieldOffset: number,
  budget: ImportBudget,
  functions: ImportedFunction[],
): void {
  const r = ctx.reader;
  const width = pe32Plus ? 8 : 4;
  const start = mapper.require(tableRva, width, structure, fieldOffset);
  const available = Math.floor(mapper.resolve(tableRva)!.available / width);
  const limit = Math.min(available, MAX_IMPORT_FUNCTIONS_PER_MODULE, budget.remaining);
  // Terminates: i strictly increases up to `limit`, which is bounded by the caps above.
  let i = 0;
  for (; i < limit; i++) {
    const at = start + i * width;
    const lo = r.u32(at, structure);
    const hi = pe32Plus ? r.u32(at + 4, structure) : 0;
    if (lo === 0 && hi === 0) return;
    budget.remaining--;
    const ordinalFlag = pe32Plus ? (hi & 0x80000000) !== 0 : (lo & 0x80000000) !== 0;
    if (ordinalFlag) {
      functions.push({ ordinal: lo & 0xffff });
      continue;
    }
    let nameRva: number;
    if (vaBase !== undefined) {
      const va = pe32Plus ? (BigInt(hi) << 32n) | BigInt(lo) : BigInt(lo);
      const rva = va - vaBase;
      if (rva < 0n || rva > 0xffffffffn) {
        throw new PeFormatError(
          "rva-unmapped",
          `${structure}: VA 0x${va.toString(16)} is not inside the image`,
          { offset: at, structure },
        );
      }
      nameRva = Number(rva);
    } else {
      if (hi !== 0) {
        throw new PeFormatError(
          "malformed",
          `${structure}: 64-bit thunk 0x${hi.toString(16)}${lo.toString(16).padStart(8, "0")} is neither an ordinal nor an RVA`,
          {
            offset: at,
            structure,
          },
        );
      }
      nameRva = lo & 0x7fffffff;
    }
    const hintOffset = mapper.require(nameRva, 2, "IMAGE_IMPORT_BY_NAME", at);
    const hint = r.u16(hintOffset, "IMAGE_IMPORT_BY_NAME");
    const name = asciizAtRva(mapper, r, nameRva + 2, MAX_SYMBOL_NAME_LENGTH, "IMAGE_IMPORT_BY_NAME", at);
    functions.push({ name, hint });
  }
  if (budget.remaining === 0) {
    ctx.problem(
      "count-over-limit",
      "import-function-budget-exhausted",
      structure,
      start + i * width,
      `Stopped after the parser's total of imported functions`,
    );
  } else if (i >= MAX_IMPORT_FUNCTIONS_PER_MODULE) {
    ctx.problem(
      "count-over-limit",
      "import-function-count-over-limit",
      structure,
      start + i * width,
      `More than ${MAX_IMPORT_FUNCTIONS_PER_MODULE} thunks without a terminator`,
    );
  } else {
    ctx.problem(
      "truncated",
      "import-thunk-array-unterminated",
      structure,
      start + i * width,
      `Thunk array runs past its mapped data without a null terminator`,
    );
  }
}
