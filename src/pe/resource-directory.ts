/**
 * The resource tree (data directory 2): IMAGE_RESOURCE_DIRECTORY tables of
 * IMAGE_RESOURCE_DIRECTORY_ENTRYs, normally three levels deep (type, name, language), whose leaves
 * are IMAGE_RESOURCE_DATA_ENTRYs. All offsets inside the tree are relative to the start of the
 * resource directory, except the data entries' OffsetToData, which is an RVA.
 *
 * The walk keeps a `visited` set of directory offsets (a directory on the current path again is a
 * `cycle`; one reached twice from different parents is walked once), caps the depth at
 * {@link MAX_RESOURCE_DEPTH} and the number of entries at {@link MAX_RESOURCE_ENTRIES}.
 *
 * Source: PE/COFF specification §6.9 "The .rsrc Section", §6.9.1–6.9.4.
 */
import { utf16le } from "../util/byte-reader.js";
import { MAX_RESOURCE_DEPTH, MAX_RESOURCE_ENTRIES, MAX_RESOURCE_NAME_CHARS } from "./limits.js";
import type { ParseContext } from "./parse-context.js";
import type { RvaMapper } from "./rva.js";
import type { ResourceEntry } from "./types.js";

/** Size of IMAGE_RESOURCE_DIRECTORY in bytes. */
export const IMAGE_RESOURCE_DIRECTORY_SIZE = 16;
/** Size of IMAGE_RESOURCE_DIRECTORY_ENTRY in bytes. */
export const IMAGE_RESOURCE_DIRECTORY_ENTRY_SIZE = 8;
/** Size of IMAGE_RESOURCE_DATA_ENTRY in bytes. */
export const IMAGE_RESOURCE_DATA_ENTRY_SIZE = 16;
/** Resource type id of version resources. */
export const RT_VERSION = 16;
/** High bit of Name / OffsetToData: a name string / a subdirectory. */
const HIGH_BIT = 0x80000000;

/**
 * Walks the resource tree rooted at `rva` and returns every leaf.
 * @throws PeFormatError in strict mode: `cycle`, `count-over-limit`, `rva-unmapped`, `truncated`.
 *   In permissive mode each problem ends the branch concerned and is recorded.
 */
export function parseResourceDirectory(ctx: ParseContext, mapper: RvaMapper, rva: number): ResourceEntry[] {
  const r = ctx.reader;
  const leaves: ResourceEntry[] = [];
  const visited = new Set<number>();
  const onPath = new Set<number>();
  let entries = 0;

  const nameAt = (relative: number, fieldOffset: number): string => {
    const structure = "IMAGE_RESOURCE_DIR_STRING_U";
    const at = mapper.require(rva + relative, 2, structure, fieldOffset);
    const length = Math.min(r.u16(at, structure), MAX_RESOURCE_NAME_CHARS);
    const textOffset = mapper.require(rva + relative + 2, length * 2, structure, fieldOffset);
    return utf16le(r.bytes(textOffset, length * 2, structure));
  };

  // Recursion depth is bounded by MAX_RESOURCE_DEPTH; every directory is entered at most once
  // (visited), and the total number of entries by MAX_RESOURCE_ENTRIES.
  const walk = (
    relative: number,
    depth: number,
    path: (number | string)[],
    fieldOffset: number | undefined,
  ): void => {
    const structure = "IMAGE_RESOURCE_DIRECTORY";
    if (onPath.has(relative)) {
      ctx.problem(
        "cycle",
        "resource-directory-cycle",
        structure,
        fieldOffset,
        `Resource directory at +0x${relative.toString(16)} contains itself`,
      );
      return;
    }
    if (visited.has(relative)) {
      ctx.note(
        "resource-directory-shared",
        structure,
        fieldOffset,
        `Resource directory at +0x${relative.toString(16)} is reached twice; walked once`,
      );
      return;
    }
    if (depth >= MAX_RESOURCE_DEPTH) {
      ctx.problem(
        "count-over-limit",
        "resource-tree-too-deep",
        structure,
        fieldOffset,
        `Resource tree deeper than ${MAX_RESOURCE_DEPTH} levels`,
      );
      return;
    }
    const at = mapper.require(rva + relative, IMAGE_RESOURCE_DIRECTORY_SIZE, structure, fieldOffset);
    visited.add(relative);
    onPath.add(relative);
    const count = r.u16(at + 12, structure) + r.u16(at + 14, structure);
    for (let i = 0; i < count; i++) {
      if (entries >= MAX_RESOURCE_ENTRIES) {
        ctx.problem(
          "count-over-limit",
          "resource-entry-count-over-limit",
          structure,
          at,
          `More than ${MAX_RESOURCE_ENTRIES} resource directory entries`,
        );
        break;
      }
      entries++;
      const entryRelative =
        relative + IMAGE_RESOURCE_DIRECTORY_SIZE + i * IMAGE_RESOURCE_DIRECTORY_ENTRY_SIZE;
      const stop = ctx.guard("IMAGE_RESOURCE_DIRECTORY_ENTRY", true, () => {
        const e = mapper.require(
          rva + entryRelative,
          IMAGE_RESOURCE_DIRECTORY_ENTRY_SIZE,
          "IMAGE_RESOURCE_DIRECTORY_ENTRY",
          at,
        );
        const nameField = r.u32(e, "IMAGE_RESOURCE_DIRECTORY_ENTRY");
        const dataField = r.u32(e + 4, "IMAGE_RESOURCE_DIRECTORY_ENTRY");
        const id: number | string =
          nameField & HIGH_BIT ? nameAt(nameField & 0x7fffffff, e) : nameField & 0xffff;
        const childPath = [...path, id];
        if (dataField & HIGH_BIT) {
          walk(dataField & 0x7fffffff, depth + 1, childPath, e + 4);
        } else {
          const d = mapper.require(
            rva + dataField,
            IMAGE_RESOURCE_DATA_ENTRY_SIZE,
            "IMAGE_RESOURCE_DATA_ENTRY",
            e + 4,
          );
          leaves.push({
            type: childPath[0] ?? 0,
            name: childPath[1] ?? 0,
            language: childPath[2] ?? 0,
            dataRva: r.u32(d, "IMAGE_RESOURCE_DATA_ENTRY"),
            size: r.u32(d + 4, "IMAGE_RESOURCE_DATA_ENTRY"),
            codePage: r.u32(d + 8, "IMAGE_RESOURCE_DATA_ENTRY"),
          });
        }
        return false;
      });
      if (stop) break;
    }
    onPath.delete(relative);
  };

  ctx.guard("IMAGE_RESOURCE_DIRECTORY", undefined, () => walk(0, 0, [], undefined));
  return leaves;
}
