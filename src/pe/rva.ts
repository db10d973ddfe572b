/**
 * RVA → file offset mapping, the way the Windows loader lays an image out: the headers occupy
 * RVAs [0, SizeOfHeaders) at the same file offsets; each section occupies
 * [VirtualAddress, VirtualAddress + align(VirtualSize or, when 0, SizeOfRawData, SectionAlignment))
 * of which only the first min(SizeOfRawData, that virtual span) bytes come from the file
 * (starting at PointerToRawData rounded down to 512); the rest is zero-filled and has no file
 * offset. An RVA in no section and past the headers is unmapped.
 *
 * Low-alignment images (SectionAlignment below the 4 KiB page; the loader then requires
 * FileAlignment to equal it) are mapped flat: the file is one view, RVA = file offset, up to
 * SizeOfImage rounded up to a page. Tiny and section-less PEs rely on this (their import table
 * lies wherever the file has room); corkami's "tiny" and "nosection" PEs are examples
 * (https://github.com/corkami/pocs/tree/master/PE).
 *
 * Source: PE/COFF specification §3.4.2 (SectionAlignment, SizeOfHeaders), §4 (VirtualSize,
 * SizeOfRawData, PointerToRawData); loader behaviour as reproduced by pefile
 * (`adjust_FileAlignment`, `get_offset_from_rva`) and described in the PE format docs.
 */
import type { ByteReader } from "../util/byte-reader.js";
import { PeFormatError } from "./errors.js";

/**
 * What the mapper reads of a section header: a parsed SectionHeader, or the four fields
 * section-table.ts `sectionSpans` reads of each header past the analysed ones.
 */
export interface SectionLike {
  virtualAddress: number;
  virtualSize: number;
  sizeOfRawData: number;
  /** PointerToRawData as the loader uses it; `pointerToRawData` when absent. */
  rawDataOffset?: number;
  pointerToRawData?: number;
}

/** Where an RVA lands in the file. */
export interface MappedRva {
  /** File offset of the RVA. */
  offset: number;
  /** Bytes readable from `offset` without leaving the mapped region or the file. */
  available: number;
}

interface Region {
  rva: number;
  virtualEnd: number;
  fileOffset: number;
  rawSize: number;
}

function alignUp(value: number, alignment: number): number {
  if (alignment <= 1) return value;
  const rest = value % alignment;
  return rest === 0 ? value : value + (alignment - rest);
}

/** Maps RVAs to file offsets for one image. Immutable after construction. */
/**
 * For a low-alignment image (SectionAlignment below the page), how many bytes of the file the
 * loader maps flat, RVA = file offset: the file up to SizeOfImage rounded up to a page. 0 for a
 * page-aligned image, which is mapped section by section.
 */
export function flatMappingEnd(sectionAlignment: number, sizeOfImage: number, fileSize: number): number {
  return sectionAlignment < PAGE_BYTES
    ? Math.min(fileSize, Math.ceil(Math.max(1, sizeOfImage) / PAGE_BYTES) * PAGE_BYTES)
    : 0;
}

/** Up to this many sections, a look-up walks them in table order; above, it searches pieces. */
const LINEAR_REGIONS = 16;

/** A stretch [start, end) of RVAs and the index of the region that wins it. */
interface Piece {
  start: number;
  end: number;
  region: number;
}

/**
 * The RVA line cut into stretches, each won by the first region (in table order) covering it:
 * the linear look-up's answer for every RVA, found by binary search. A sweep over the regions'
 * starts and ends with a min-heap of the covering regions' indices: O(n log n) for n regions,
 * where a linear look-up per RVA would cost n per name of a 65,535-section image.
 */
function winnersByRva(regions: readonly Region[]): Piece[] {
  // Sort keys rva·2^16 + index (exact below 2^53; NumberOfSections is 16-bit) and the points in
  // Float64Arrays: a numeric sort with no comparator calls and no arrays per region.
  const scale = 0x10000;
  const keys = new Float64Array(regions.length);
  const points = new Float64Array(2 * regions.length);
  let m = 0;
  for (let i = 0; i < regions.length && i < scale; i++) {
    const r = regions[i]!;
    if (r.virtualEnd <= r.rva) continue;
    keys[m] = r.rva * scale + i;
    points[2 * m] = r.rva;
    points[2 * m + 1] = r.virtualEnd;
    m++;
  }
  const starts = keys.subarray(0, m).sort();
  const sortedPoints = points.subarray(0, 2 * m).sort();
  const heap = new MinHeap();
  const pieces: Piece[] = [];
  let next = 0;
  for (let k = 0; k + 1 < sortedPoints.length; k++) {
    const at = sortedPoints[k]!;
    const to = sortedPoints[k + 1]!;
    if (to === at) continue;
    while (next < starts.length && Math.floor(starts[next]! / scale) <= at)
      heap.push(starts[next++]! % scale);
    // Regions that ended at or before this point leave the heap when they reach its top.
    while (heap.size > 0 && regions[heap.top()]!.virtualEnd <= at) heap.pop();
    if (heap.size === 0) continue;
    const region = heap.top();
    const last = pieces[pieces.length - 1];
    if (last !== undefined && last.region === region && last.end === at) last.end = to;
    else pieces.push({ start: at, end: to, region });
  }
  return pieces;
}

/** A binary min-heap of numbers (region indices). */
class MinHeap {
  readonly #items: number[] = [];

  get size(): number {
    return this.#items.length;
  }

  top(): number {
    return this.#items[0]!;
  }

  push(value: number): void {
    const items = this.#items;
    items.push(value);
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= items[i]!) break;
      const swap = items[parent]!;
      items[parent] = items[i]!;
      items[i] = swap;
      i = parent;
    }
  }

  pop(): void {
    const items = this.#items;
    const last = items.pop()!;
    if (items.length === 0) return;
    items[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && items[l]! < items[m]!) m = l;
      if (r < items.length && items[r]! < items[m]!) m = r;
      if (m === i) return;
      const swap = items[m]!;
      items[m] = items[i]!;
      items[i] = swap;
      i = m;
    }
  }
}

/** The loader's page: below it, SectionAlignment means a flat (low-alignment) mapping. */
const PAGE_BYTES = 4096;

export class RvaMapper {
  readonly #regions: Region[];
  readonly #headersEnd: number;
  readonly #fileSize: number;
  /** For a low-alignment image, where the flat mapping of the file ends (else 0). */
  readonly #flatEnd: number;
  /** For many sections: which region wins each stretch of RVAs (see {@link winnersByRva}). */
  readonly #pieces: Piece[] | undefined;

  /**
   * @param sections - every section header's span (`rawDataOffset` is the loader's offset), in
   *   table order; a parsed SectionHeader is one.
   * @param sizeOfHeaders - the optional header's SizeOfHeaders, bytes.
   * @param sectionAlignment - the optional header's SectionAlignment, bytes.
   * @param fileSize - size of the file, bytes.
   * @param sizeOfImage - the optional header's SizeOfImage, bytes: bounds a low-alignment
   *   image's flat mapping (unbounded when not given).
   */
  constructor(
    sections: readonly SectionLike[],
    sizeOfHeaders: number,
    sectionAlignment: number,
    fileSize: number,
    sizeOfImage = Number.MAX_SAFE_INTEGER,
  ) {
    this.#fileSize = fileSize;
    this.#flatEnd = flatMappingEnd(sectionAlignment, sizeOfImage, fileSize);
    this.#headersEnd = Math.min(sizeOfHeaders, fileSize);
    this.#regions = sections.map((s) => {
      const virtualSpan = alignUp(s.virtualSize !== 0 ? s.virtualSize : s.sizeOfRawData, sectionAlignment);
      return {
        rva: s.virtualAddress,
        virtualEnd: s.virtualAddress + virtualSpan,
        fileOffset: s.rawDataOffset ?? s.pointerToRawData ?? 0,
        rawSize: s.sizeOfRawData === 0 ? 0 : Math.min(s.sizeOfRawData, virtualSpan),
      };
    });
    this.#pieces = this.#regions.length > LINEAR_REGIONS ? winnersByRva(this.#regions) : undefined;
  }

  /** The region an RVA falls in (the first in table order), if any. */
  #regionOf(rva: number): Region | undefined {
    const pieces = this.#pieces;
    if (pieces === undefined) {
      for (const region of this.#regions) if (rva >= region.rva && rva < region.virtualEnd) return region;
      return undefined;
    }
    let lo = 0;
    let hi = pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pieces[mid]!.end <= rva) lo = mid + 1;
      else hi = mid;
    }
    const piece = pieces[lo];
    return piece !== undefined && piece.start <= rva ? this.#regions[piece.region] : undefined;
  }

  /**
   * The file offset of `rva` and how many bytes can be read from there, or `undefined` when the
   * RVA is unmapped, zero-filled (past a section's raw data) or its file offset is past EOF.
   * Sections are searched in table order; the first that contains the RVA wins (as the loader's
   * later mapping would overwrite earlier ones only for overlapping, invalid images).
   */
  resolve(rva: number): MappedRva | undefined {
    if (!Number.isSafeInteger(rva) || rva < 0) return undefined;
    if (this.#flatEnd > 0)
      return rva < this.#flatEnd ? { offset: rva, available: this.#flatEnd - rva } : undefined;
    const region = this.#regionOf(rva);
    if (region !== undefined) {
      const delta = rva - region.rva;
      if (delta >= region.rawSize) return undefined;
      const offset = region.fileOffset + delta;
      if (offset >= this.#fileSize) return undefined;
      return { offset, available: Math.min(region.rawSize - delta, this.#fileSize - offset) };
    }
    if (rva < this.#headersEnd) return { offset: rva, available: this.#headersEnd - rva };
    return undefined;
  }

  /** The file offset of `rva`, or `undefined` (see {@link RvaMapper.resolve}). */
  toOffset(rva: number): number | undefined {
    return this.resolve(rva)?.offset;
  }

  /**
   * The file offset of `length` bytes at `rva`, all inside one mapped region.
   * @param fieldOffset - file offset of the field the RVA was read from; becomes the error's
   *   `offset` when the RVA is unmapped.
   * @throws PeFormatError `rva-unmapped` when the RVA maps nowhere, `truncated` when fewer than
   *   `length` bytes are mapped from there.
   */
  require(rva: number, length: number, structure: string, fieldOffset?: number): number {
    const m = this.resolve(rva);
    if (m === undefined) {
      const message = `${structure}: RVA 0x${rva.toString(16)} maps to no file offset`;
      throw new PeFormatError(
        "rva-unmapped",
        message,
        fieldOffset === undefined ? { structure } : { offset: fieldOffset, structure },
      );
    }
    if (m.available < length) {
      throw new PeFormatError(
        "truncated",
        `${structure}: ${length} byte(s) at RVA 0x${rva.toString(16)} (offset 0x${m.offset.toString(16)}) run past the mapped data`,
        { offset: m.offset, structure },
      );
    }
    return m.offset;
  }
}

/**
 * A NUL-terminated single-byte string at `rva`, at most `maxLength` bytes, never read past the
 * mapped region.
 * @param reader - the image's reader (a partly read image says when the string was not read).
 * @throws PeFormatError `rva-unmapped` (offset = `fieldOffset`).
 */
export function asciizAtRva(
  mapper: RvaMapper,
  reader: ByteReader,
  rva: number,
  maxLength: number,
  structure: string,
  fieldOffset?: number,
): string {
  const offset = mapper.require(rva, 1, structure, fieldOffset);
  const m = mapper.resolve(rva)!;
  return reader.asciiz(offset, Math.min(maxLength, m.available), structure);
}
