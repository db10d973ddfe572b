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

/** A run of file bytes the loader maps at `rva`. */
interface Segment {
  rva: number;
  offset: number;
  length: number;
}

function alignUp(value: number, alignment: number): number {
  return alignment <= 1 ? value : Math.ceil(value / alignment) * alignment;
}

/** The mapped runs of file bytes, in virtual-address order. */
function mappedSegments(pe: PeImage): Segment[] {
  const size = pe.size;
  const segments: Segment[] = [
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
  bytes: Buffer;
  /** Bytes per character, for the boundary test. */
  unit: 1 | 2;
}

function needles(names: readonly string[]): Needle[] {
  return names.flatMap((name): Needle[] => [
    { name, encoding: "ascii", bytes: Buffer.from(name, "latin1"), unit: 1 },
    { name, encoding: "utf-16le", bytes: Buffer.from(name, "utf16le"), unit: 2 },
  ]);
}

/** True when the character before `at` and after the match are not identifier characters. */
function standsAlone(hay: Buffer, at: number, n: Needle): boolean {
  const before = at - n.unit;
  const after = at + n.bytes.length;
  const charAt = (i: number) => (i < 0 || i >= hay.length ? undefined : hay[i]);
  const highZero = (i: number) => n.unit === 1 || charAt(i + 1) === 0;
  const identBefore = isIdentByte(charAt(before)) && highZero(before);
  const identAfter = isIdentByte(charAt(after)) && highZero(after);
  return !identBefore && !identAfter;
}

/** First standalone occurrence of `n` in `hay` at or after `from`, before `until`, or -1. */
function findStandalone(hay: Buffer, n: Needle, from: number, until: number): number {
  // Terminates: `at` strictly increases; indexOf returns -1 past the end.
  for (let at = hay.indexOf(n.bytes, from); at >= 0 && at < until; at = hay.indexOf(n.bytes, at + 1)) {
    if (standsAlone(hay, at, n)) return at;
  }
  return -1;
}

/**
 * Finds watched API names carried as strings by a module that imports a resolver.
 * @param pe - the parsed image of `bytes`.
 * @returns the resolvers imported and the names found (first occurrence per name and encoding).
 */
export function analyzeDynamicImports(pe: PeImage, bytes: Uint8Array): DynamicImportAnalysis {
  const imported = new Set(pe.imports.flatMap((m) => m.functions.map((f) => f.name ?? "")));
  const resolvers = RESOLVER_IMPORTS.filter((r) => imported.has(r));
  if (resolvers.length === 0) return { resolvers, names: [] };
  const wanted = needles(WATCHED_API_NAMES.filter((n) => !imported.has(n)));
  const found = new Map<string, ApiNameString>();
  const record = (n: Needle, offset: number) => {
    const key = `${n.name}/${n.encoding}`;
    if (!found.has(key)) found.set(key, { name: n.name, encoding: n.encoding, offset });
  };
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const segments = mappedSegments(pe);
  const longest = Math.max(...wanted.map((n) => n.bytes.length), 1);
  for (const [i, seg] of segments.entries()) {
    const hay = file.subarray(seg.offset, seg.offset + seg.length);
    for (const n of wanted) {
      const at = findStandalone(hay, n, 0, hay.length);
      if (at >= 0) record(n, seg.offset + at);
    }
    // A name may straddle this segment and the next when they are contiguous in memory.
    const next = segments[i + 1];
    if (next === undefined || seg.rva + seg.length !== next.rva) continue;
    const tail = Math.min(seg.length, longest);
    const head = Math.min(next.length, longest);
    const junction = Buffer.concat([
      file.subarray(seg.offset + seg.length - tail, seg.offset + seg.length),
      file.subarray(next.offset, next.offset + head),
    ]);
    for (const n of wanted) {
      // Only matches that cross the junction: starting in the tail, ending in the head.
      const at = findStandalone(junction, n, Math.max(0, tail - n.bytes.length + 1), tail);
      if (at >= 0) record(n, seg.offset + seg.length - tail + at);
    }
  }
  const names = [...found.values()].sort((a, b) => a.offset - b.offset);
  return { resolvers, names };
}
