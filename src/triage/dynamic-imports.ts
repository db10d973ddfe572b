/**
 * Dynamic imports: a module that imports `GetProcAddress` can call any function whose name it
 * carries, without that function ever appearing in its import table. So the names of the
 * injection, execution and download APIs of {@link IMPORT_RULES}, found as strings in a module
 * that resolves functions at run time, are a signal of their own.
 *
 * What is searched: the bytes the loader maps (the headers and each section's raw data, in
 * virtual-address order), not the overlay or the certificate table. A name counts when it stands
 * alone: the bytes before and after it are not identifier characters, so `WinExecute` is not
 * `WinExec`. Names are searched as ASCII, which `GetProcAddress` takes, and as UTF-16LE, which
 * one `WideCharToMultiByte` call turns into it. Where two sections are contiguous in memory
 * (no zero-filled gap between them), the junction is searched too, so a name split across
 * the boundary is found as the loader will see it. Names the module imports statically are left
 * out: they are the import table's own strings, and `executable-behavior` judges them.
 *
 * Not found, by design: names built at run time (stack strings, XOR, hashes of export names)
 * and `GetProcAddress` itself found without an import (PEB walking). Those need emulation.
 *
 * Source: docs/verdict.md ("Dynamic imports"); Microsoft docs, GetProcAddress (lpProcName is an
 * ANSI string;
 * https://learn.microsoft.com/en-us/windows/win32/api/libloaderapi/nf-libloaderapi-getprocaddress);
 * PE/COFF specification §4 (section layout), §6.4.3 (Hint/Name table;
 * https://learn.microsoft.com/en-us/windows/win32/debug/pe-format).
 */
import { flatMappingEnd } from "../pe/index.js";
import { parseImageHeaders } from "../pe/parse-pe.js";
import { ParseContext } from "../pe/parse-context.js";
import type { PeImage } from "../pe/types.js";
import { IMPORT_RULES } from "./behavior-rules.js";

/** Imports that resolve functions by name at run time. */
export const RESOLVER_IMPORTS = ["GetProcAddress", "LdrGetProcedureAddress", "LdrGetProcedureAddressEx"];

/** Every API name of {@link IMPORT_RULES}, once. */
export const WATCHED_API_NAMES: readonly string[] = [...new Set(IMPORT_RULES.flatMap((r) => r.allOf.flat()))];

/** One watched API name found as a string. */
export interface ApiNameString {
  name: string;
  encoding: "ascii" | "utf-16le";
  /** File offset of the first occurrence; for a name split across sections, where it starts. */
  offset: number;
}

export interface DynamicImportAnalysis {
  /** Resolver functions the module imports (statically or delay-loaded). */
  resolvers: string[];
  /** Watched names found as strings, not imported statically; empty when there is no resolver. */
  names: ApiNameString[];
}

/** A run of file bytes the loader maps at `rva` (bytes, file offsets). */
export interface MappedSegment {
  rva: number;
  offset: number;
  length: number;
}

function alignUp(value: number, alignment: number): number {
  return alignment <= 1 ? value : Math.ceil(value / alignment) * alignment;
}

/** What {@link mappedSegments} reads of a parsed image: its headers and section table. */
type MappedLayout = Pick<PeImage, "size" | "optionalHeader" | "sections">;

/** The mapped runs of file bytes, in virtual-address order. */
export function mappedSegments(pe: MappedLayout): MappedSegment[] {
  const size = pe.size;
  // A low-alignment image is mapped flat, as one view of the file.
  const flat = flatMappingEnd(pe.optionalHeader.sectionAlignment, pe.optionalHeader.sizeOfImage, size);
  if (flat > 0) return [{ rva: 0, offset: 0, length: flat }];
  const segments: MappedSegment[] = [
    { rva: 0, offset: 0, length: Math.min(pe.optionalHeader.sizeOfHeaders, size) },
  ];
  for (const s of pe.sections) {
    const offset = s.rawDataOffset ?? s.pointerToRawData;
    const inFile = s.rawDataSizeInFile ?? Math.max(0, Math.min(s.sizeOfRawData, size - offset));
    const span = alignUp(
      s.virtualSize !== 0 ? s.virtualSize : s.sizeOfRawData,
      pe.optionalHeader.sectionAlignment,
    );
    const length = Math.min(inFile, span);
    if (length > 0 && offset < size) segments.push({ rva: s.virtualAddress, offset, length });
  }
  return segments.sort((a, b) => a.rva - b.rva);
}

const isIdentByte = (b: number | undefined): boolean =>
  b !== undefined &&
  ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f);

interface Needle {
  name: string;
  encoding: ApiNameString["encoding"];
  bytes: Uint8Array;
  /** Bytes per character, for the boundary test. */
  unit: 1 | 2;
}

function needles(names: readonly string[]): Needle[] {
  return names.flatMap((name): Needle[] => [
    // Plain Uint8Arrays, as the searched bytes are: one element kind keeps the walk monomorphic.
    { name, encoding: "ascii", bytes: new Uint8Array(Buffer.from(name, "latin1")), unit: 1 },
    { name, encoding: "utf-16le", bytes: new Uint8Array(Buffer.from(name, "utf16le")), unit: 2 },
  ]);
}

/** True when the character before `at` and after the match are not identifier characters. */
function standsAlone(hay: Uint8Array, at: number, n: Needle): boolean {
  const before = at - n.unit;
  const after = at + n.bytes.length;
  const charAt = (i: number) => (i < 0 || i >= hay.length ? undefined : hay[i]);
  const highZero = (i: number) => n.unit === 1 || charAt(i + 1) === 0;
  const identBefore = isIdentByte(charAt(before)) && highZero(before);
  const identAfter = isIdentByte(charAt(after)) && highZero(after);
  return !identBefore && !identAfter;
}

/** Bits of the block hash: 2^16 entries keep collisions rare for a few hundred blocks. */
const HASH_BITS = 16;
/** Bytes per block (Wu-Manber's B). */
const BLOCK = 3;
/** Shortest window of the shared walk; shorter needles are searched one by one (see {@link NeedleSet}). */
const MIN_WINDOW = 12;

function blockHash(hay: Uint8Array, end: number): number {
  const key = hay[end - 2]! | (hay[end - 1]! << 8) | (hay[end]! << 16);
  return Math.imul(key, 0x9e3779b1) >>> (32 - HASH_BITS);
}

/**
 * All needles at once, Wu-Manber style (S. Wu, U. Manber, "A fast algorithm for multi-pattern
 * searching", 1994): a window of `m` bytes (the shortest needle's length, at least
 * {@link MIN_WINDOW}) slides over the bytes; the hash of its last {@link BLOCK} bytes says how far
 * it may safely jump (up to `m − BLOCK + 1`), and only when it may not are the few needles ending
 * so compared. One walk instead of one `indexOf` pass per needle (32 passes over every mapped
 * byte).
 *
 * The window is at least {@link MIN_WINDOW} bytes: one short name (`WinExec`, 7 bytes in ASCII)
 * would otherwise cap every jump at 5 bytes for all the others. Needles shorter than that are
 * searched on their own with `Buffer.indexOf` (native code), which finds the same occurrences.
 */
class NeedleSet {
  readonly needles: readonly Needle[];
  /** Window length: the shortest needle. */
  readonly #m: number;
  readonly #shift: Uint8Array;
  /** Needles by the hash of the block ending their first `m` bytes. */
  readonly #ending = new Map<number, number[]>();

  /** Indices of the needles shorter than the window, searched with `indexOf`. */
  readonly #short: number[] = [];

  constructor(needles: readonly Needle[]) {
    this.needles = needles.filter((n) => n.bytes.length >= BLOCK);
    const lengths = this.needles.map((n) => n.bytes.length);
    this.#m = Math.max(MIN_WINDOW, Math.min(...lengths));
    if (lengths.every((l) => l < this.#m)) this.#m = Math.max(...lengths);
    const m = this.#m;
    this.#shift = new Uint8Array(1 << HASH_BITS).fill(m - BLOCK + 1);
    for (const [i, n] of this.needles.entries()) {
      if (n.bytes.length < m) {
        this.#short.push(i);
        continue;
      }
      for (let end = BLOCK - 1; end < m; end++) {
        const h = blockHash(n.bytes, end);
        this.#shift[h] = Math.min(this.#shift[h]!, m - 1 - end);
      }
      const h = blockHash(n.bytes, m - 1);
      const list = this.#ending.get(h);
      if (list) list.push(i);
      else this.#ending.set(h, [i]);
    }
  }

  /**
   * The window ends where a needle may end its first `m` bytes, for windows starting in
   * [`from`, `until`), in increasing order. The range is walked as four quarters at once: one
   * walk is a chain of dependent loads (each jump needs the table entry just read), four
   * independent chains keep the processor busy (about 2× faster). Wu-Manber finds every
   * occurrence whatever window it starts from, so the quarters give the places one walk gives.
   */
  #windowEnds(hay: Uint8Array, from: number, until: number): number[] {
    const m = this.#m;
    const shift = this.#shift;
    const start = Math.max(0, from);
    const stop = Math.min(until, hay.length - m + 1);
    if (stop <= start) return [];
    const q = Math.ceil((stop - start) / 4);
    // Quarter k holds the windows starting in [start + k·q, start + (k+1)·q), clipped to `stop`.
    const limit = (k: number) => Math.min(start + k * q, stop) + m - 1;
    const l0 = limit(1);
    const l1 = limit(2);
    const l2 = limit(3);
    const l3 = stop + m - 1;
    let e0 = start + m - 1;
    let e1 = l0;
    let e2 = l1;
    let e3 = l2;
    const c0: number[] = [];
    const c1: number[] = [];
    const c2: number[] = [];
    const c3: number[] = [];
    // Terminates: each end grows by at least 1 every step.
    while (e0 < l0 && e1 < l1 && e2 < l2 && e3 < l3) {
      const s0 = shift[blockHash(hay, e0)]!;
      const s1 = shift[blockHash(hay, e1)]!;
      const s2 = shift[blockHash(hay, e2)]!;
      const s3 = shift[blockHash(hay, e3)]!;
      if (s0 > 0) e0 += s0;
      else c0.push(e0++);
      if (s1 > 0) e1 += s1;
      else c1.push(e1++);
      if (s2 > 0) e2 += s2;
      else c2.push(e2++);
      if (s3 > 0) e3 += s3;
      else c3.push(e3++);
    }
    // Each quarter finishes on its own, then the quarters' ends follow one another in order.
    walkWindows(hay, shift, m, e0, l0 - m + 1, c0);
    walkWindows(hay, shift, m, e1, l1 - m + 1, c1);
    walkWindows(hay, shift, m, e2, l2 - m + 1, c2);
    walkWindows(hay, shift, m, e3, stop, c3);
    return c0.concat(c1, c2, c3);
  }

  /**
   * Calls `found(needle index, at)` for each standalone occurrence in `hay` of a needle not yet
   * in `done`, starting in [`from`, `until`), in order; `found` returns true to take it, which
   * marks the needle done (so each needle is taken at its first accepted occurrence).
   */
  search(
    hay: Uint8Array,
    from: number,
    until: number,
    done: Uint8Array,
    found: (i: number, at: number) => boolean,
  ): void {
    const m = this.#m;
    for (const end of this.#windowEnds(hay, from, until)) {
      const h = blockHash(hay, end);
      const at = end - m + 1;
      for (const i of this.#ending.get(h) ?? []) {
        if (done[i] === 1) continue;
        const n = this.needles[i]!;
        if (at + n.bytes.length > hay.length || !matchesAt(hay, at, n.bytes)) continue;
        if (standsAlone(hay, at, n) && found(i, at)) done[i] = 1;
      }
    }
    if (this.#short.length === 0) return;
    const buffer = Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength);
    for (const i of this.#short) {
      const n = this.needles[i]!;
      // Terminates: each step starts one byte after the previous occurrence.
      for (let at = buffer.indexOf(n.bytes, Math.max(0, from)); at >= 0 && at < until && done[i] !== 1;) {
        if (standsAlone(hay, at, n) && found(i, at)) done[i] = 1;
        at = buffer.indexOf(n.bytes, at + 1);
      }
    }
  }
}

/**
 * The window ends, in increasing order, of the windows starting in [`start`, `stop`) where the
 * shift table allows no jump (a needle may end its first `m` bytes there), walking from
 * `end` (the first window's end). Each step waits for the last: the next place depends on the
 * table entry just read.
 */
function walkWindows(
  hay: Uint8Array,
  shift: Uint8Array,
  m: number,
  end: number,
  stop: number,
  out: number[],
): void {
  const last = stop + m - 1;
  // Terminates: `end` grows by at least 1 every step.
  while (end < last) {
    const s = shift[blockHash(hay, end)]!;
    if (s > 0) end += s;
    else out.push(end++);
  }
}

function matchesAt(hay: Uint8Array, at: number, bytes: Uint8Array): boolean {
  for (let k = 0; k < bytes.length; k++) if (hay[at + k] !== bytes[k]) return false;
  return true;
}

/** The needles of every watched name (ASCII and UTF-16LE), built once. */
let allNeedles: NeedleSet | undefined;
const watchedNeedles = (): NeedleSet => (allNeedles ??= new NeedleSet(needles(WATCHED_API_NAMES)));

/**
 * Where the watched names lie in a file's mapped bytes: per needle of the watched set (each
 * name in ASCII, then in UTF-16LE), the file offset of its first standalone occurrence, or -1.
 * "First" is in the order the loader maps them: segment by segment in virtual-address order,
 * each followed by its junction with the next when they are contiguous in memory.
 */
export interface WatchedNames {
  /** The segments searched (a caller checks they are its own). */
  segments: MappedSegment[];
  /** File offset per needle, or -1. */
  firstOffsets: Int32Array;
}

/**
 * Searches `file`'s mapped `segments` for every watched name (see {@link WatchedNames}).
 * Linear in the mapped bytes.
 */
export function findWatchedNames(file: Uint8Array, segments: MappedSegment[]): WatchedNames {
  const set = watchedNeedles();
  const firstOffsets = new Int32Array(set.needles.length).fill(-1);
  const record = (i: number, offset: number) => {
    if (firstOffsets[i] === -1) firstOffsets[i] = offset;
    return true;
  };
  // A plain view (not a Buffer), so every array the walk reads has the same shape.
  const plain = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  const longest = Math.max(...set.needles.map((n) => n.bytes.length), 1);
  for (const [i, seg] of segments.entries()) {
    const hay = plain.subarray(seg.offset, seg.offset + seg.length);
    // The first standalone occurrence of each needle in this segment.
    set.search(hay, 0, hay.length, new Uint8Array(set.needles.length), (n, at) => record(n, seg.offset + at));
    // A name may straddle this segment and the next when they are contiguous in memory.
    const next = segments[i + 1];
    if (next === undefined || seg.rva + seg.length !== next.rva) continue;
    const tail = Math.min(seg.length, longest);
    const head = Math.min(next.length, longest);
    const junction = new Uint8Array(tail + head);
    junction.set(plain.subarray(seg.offset + seg.length - tail, seg.offset + seg.length));
    junction.set(plain.subarray(next.offset, next.offset + head), tail);
    // Only matches that cross the junction: starting in the tail, ending in the head.
    const start = seg.offset + seg.length - tail;
    set.search(junction, 0, tail, new Uint8Array(set.needles.length), (n, at) => {
      return at + set.needles[n]!.bytes.length > tail && record(n, start + at);
    });
  }
  return { segments, firstOffsets };
}

/**
 * {@link findWatchedNames} over a file's bytes alone, its segments read from its own headers
 * (as `parsePe` reads them): what a second thread computes while the first parses the file.
 * @returns `undefined` when the headers cannot be read (the caller's parse decides what the file is).
 */
export function findWatchedNamesInFile(bytes: Uint8Array): WatchedNames | undefined {
  let layout: MappedLayout;
  try {
    const { optionalHeader, sections } = parseImageHeaders(new ParseContext(bytes, "permissive"));
    layout = { size: bytes.length, optionalHeader, sections };
  } catch {
    return undefined;
  }
  return findWatchedNames(bytes, mappedSegments(layout));
}

const sameSegments = (a: readonly MappedSegment[], b: readonly MappedSegment[]) =>
  a.length === b.length &&
  a.every((s, i) => s.rva === b[i]!.rva && s.offset === b[i]!.offset && s.length === b[i]!.length);

/**
 * Finds watched API names carried as strings by a module that imports a resolver.
 * @param pe - the parsed image of `bytes`.
 * @param found - the search already made (by another thread, {@link findWatchedNamesInFile});
 *   used only when its segments are this image's, else the search is made here.
 * @returns the resolvers imported and the names found (first occurrence per name and encoding).
 */
export function analyzeDynamicImports(
  pe: PeImage,
  bytes: Uint8Array,
  found?: () => WatchedNames | undefined,
): DynamicImportAnalysis {
  const imported = new Set(pe.imports.flatMap((m) => m.functions.map((f) => f.name ?? "")));
  const resolvers = RESOLVER_IMPORTS.filter((r) => imported.has(r));
  if (resolvers.length === 0) return { resolvers, names: [] };
  const segments = mappedSegments(pe);
  const given = found?.();
  const { firstOffsets } =
    given !== undefined && sameSegments(given.segments, segments) ? given : findWatchedNames(bytes, segments);
  const set = watchedNeedles();
  const names: ApiNameString[] = [];
  for (const [i, n] of set.needles.entries()) {
    const offset = firstOffsets[i]!;
    // Names the module imports statically are the import table's own strings.
    if (offset >= 0 && !imported.has(n.name)) names.push({ name: n.name, encoding: n.encoding, offset });
  }
  // By offset; no two needles stand alone at one offset (one would be the other's prefix, or
  // another encoding), and the needle order breaks ties in any case.
  return { resolvers, names: names.sort((a, b) => a.offset - b.offset) };
}
