/**
 * The export directory (data directory 0): IMAGE_EXPORT_DIRECTORY with its export address table,
 * name pointer table and ordinal table. Ordinals are biased (Base + index); an export whose
 * address lies inside the export directory's own range is a forwarder string
 * (`"OTHERDLL.Function"` or `"OTHERDLL.#12"`).
 *
 * Source: PE/COFF specification §6.3 "The .edata Section (Image Only)", §6.3.1–6.3.5.
 */
import { MAX_EXPORTS, MAX_FORWARDER_LENGTH, MAX_SYMBOL_NAME_LENGTH } from "./limits.js";
import type { ParseContext } from "./parse-context.js";
import { asciizAtRva, type RvaMapper } from "./rva.js";
import type { ExportDirectory, ExportedFunction } from "./types.js";

/** Size of IMAGE_EXPORT_DIRECTORY in bytes. */
export const IMAGE_EXPORT_DIRECTORY_SIZE = 40;

/**
 * Reads the export directory at `rva` (of `size` bytes, used for forwarder detection).
 * Export address table slots holding 0 are unused and skipped. Counts above {@link MAX_EXPORTS}
 * and tables running past their mapped data are problems; in permissive mode the tables are cut
 * to what can be read.
 * @throws PeFormatError: always `rva-unmapped` / `truncated` for the 40-byte directory itself
 *   (caught by the caller in permissive mode); in strict mode also `count-over-limit`.
 */
export function parseExportDirectory(
  ctx: ParseContext,
  mapper: RvaMapper,
  rva: number,
  size: number,
): ExportDirectory {
  const r = ctx.reader;
  const structure = "IMAGE_EXPORT_DIRECTORY";
  const at = mapper.require(rva, IMAGE_EXPORT_DIRECTORY_SIZE, structure);
  const nameRva = r.u32(at + 12, structure);
  const ordinalBase = r.u32(at + 16, structure);
  const numberOfFunctions = capCount(ctx, r.u32(at + 20, structure), at + 20, "NumberOfFunctions");
  const numberOfNames = capCount(ctx, r.u32(at + 24, structure), at + 24, "NumberOfNames");
  const addressOfFunctions = r.u32(at + 28, structure);
  const addressOfNames = r.u32(at + 32, structure);
  const addressOfNameOrdinals = r.u32(at + 36, structure);

  const result: ExportDirectory = { ordinalBase, functions: [] };
  if (nameRva !== 0) {
    ctx.guard(structure, undefined, () => {
      result.dllName = asciizAtRva(mapper, r, nameRva, MAX_SYMBOL_NAME_LENGTH, structure, at + 12);
    });
  }

  // Names: index into the export address table → first name that points there.
  const names = new Map<number, string>();
  const nameTable = tableOffset(ctx, mapper, addressOfNames, numberOfNames, 4, "AddressOfNames", at + 32);
  const ordinalTable = tableOffset(
    ctx,
    mapper,
    addressOfNameOrdinals,
    numberOfNames,
    2,
    "AddressOfNameOrdinals",
    at + 36,
  );
  const namedCount = Math.min(nameTable.count, ordinalTable.count);
  for (let j = 0; j < namedCount; j++) {
    const index = r.u16(ordinalTable.offset + j * 2, structure);
    const symbolRva = r.u32(nameTable.offset + j * 4, structure);
    if (names.has(index)) continue;
    const fieldOffset = nameTable.offset + j * 4;
    if (mapper.resolve(symbolRva) === undefined) {
      // Checked before reading so that a table of bad RVAs costs no exceptions in permissive mode.
      ctx.problem(
        "rva-unmapped",
        "rva-unmapped",
        "AddressOfNames",
        fieldOffset,
        `AddressOfNames: RVA 0x${symbolRva.toString(16)} maps to no file offset`,
      );
      continue;
    }
    names.set(
      index,
      asciizAtRva(mapper, r, symbolRva, MAX_SYMBOL_NAME_LENGTH, "AddressOfNames", fieldOffset),
    );
  }

  const functionTable = tableOffset(
    ctx,
    mapper,
    addressOfFunctions,
    numberOfFunctions,
    4,
    "AddressOfFunctions",
    at + 28,
  );
  const directoryEnd = rva + size;
  for (let i = 0; i < functionTable.count; i++) {
    const fieldOffset = functionTable.offset + i * 4;
    const functionRva = r.u32(fieldOffset, structure);
    if (functionRva === 0) continue;
    const fn: ExportedFunction = { ordinal: ordinalBase + i };
    const name = names.get(i);
    if (name !== undefined) fn.name = name;
    if (functionRva >= rva && functionRva < directoryEnd) {
      const forwarder = ctx.guard("forwarder", undefined, () =>
        asciizAtRva(mapper, r, functionRva, MAX_FORWARDER_LENGTH, "forwarder", fieldOffset),
      );
      if (forwarder !== undefined) fn.forwarder = forwarder;
    } else {
      fn.rva = functionRva;
    }
    result.functions.push(fn);
  }
  for (const index of names.keys()) {
    if (index >= numberOfFunctions) {
      ctx.note(
        "export-name-ordinal-out-of-range",
        "AddressOfNameOrdinals",
        ordinalTable.offset,
        `A name points to export index ${index}, beyond NumberOfFunctions (${numberOfFunctions})`,
      );
      break;
    }
  }
  return result;
}

function capCount(ctx: ParseContext, count: number, fieldOffset: number, field: string): number {
  if (count <= MAX_EXPORTS) return count;
  ctx.problem(
    "count-over-limit",
    "export-count-over-limit",
    "IMAGE_EXPORT_DIRECTORY",
    fieldOffset,
    `${field} is ${count}; reading at most ${MAX_EXPORTS}`,
  );
  return MAX_EXPORTS;
}

/** File offset of a table of `count` entries of `width` bytes, cut to what is mapped. */
function tableOffset(
  ctx: ParseContext,
  mapper: RvaMapper,
  tableRva: number,
  count: number,
  width: number,
  structure: string,
  fieldOffset: number,
): { offset: number; count: number } {
  if (count === 0) return { offset: 0, count: 0 };
  const m = mapper.resolve(tableRva);
  if (m === undefined) {
    ctx.problem(
      "rva-unmapped",
      "export-table-rva-unmapped",
      structure,
      fieldOffset,
      `${structure} RVA 0x${tableRva.toString(16)} maps to no file offset`,
    );
    return { offset: 0, count: 0 };
  }
  const fits = Math.floor(m.available / width);
  if (fits < count) {
    ctx.problem(
      "truncated",
      "export-table-truncated",
      structure,
      m.offset,
      `${structure} declares ${count} entries but only ${fits} are mapped`,
    );
    return { offset: m.offset, count: fits };
  }
  return { offset: m.offset, count };
}
