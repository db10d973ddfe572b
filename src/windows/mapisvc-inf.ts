/**
 * MAPISVC.INF parser: the INI file MAPI copies message-service and provider settings from when a
 * profile is built ("File Format of MAPISVC.INF",
 * https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/file-format-of-mapisvc-inf).
 *
 * What is parsed, and how it mirrors the Win32 profile API (GetPrivateProfileString), which is
 * what MAPI and the providers' `MergeWithMAPISVC` helpers use to read and write the file:
 * - Encoding: a UTF-16LE BOM (FF FE) means UTF-16LE (the profile API's Unicode form); FE FF means
 *   UTF-16BE; an EF BB BF BOM means UTF-8 (recorded, since older Windows would read the BOM bytes
 *   as ANSI); anything else is the ANSI code page, decoded here as Windows-1252.
 * - Lines end in CRLF, LF or CR. A line whose first non-blank character is `;` is a comment.
 * - `[name]` starts a section (text up to the first `]`, trimmed). Lines before the first section
 *   and non-comment lines without `=` are kept in `ignoredLines` (the profile API skips them).
 * - `key=value`: split at the first `=`, both sides trimmed. A value enclosed in a matching pair of
 *   double quotes loses them, as the profile API does. Text after `;` on a key line is NOT a
 *   comment (the profile API returns it as part of the value); {@link lookupInf} reports it.
 * - Duplicates: section and key names compare case-insensitively. The profile API returns the
 *   FIRST matching section and, inside it, the FIRST matching key; later duplicates are never
 *   seen by MAPI. Every occurrence is kept here, with its line number, as evidence.
 *
 * Sources:
 * https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/file-format-of-mapisvc-inf
 * ; https://learn.microsoft.com/en-us/windows/win32/api/winbase/nf-winbase-getprivateprofilestring
 * .
 */
import { READ_LIMITS } from "../limits.js";
import { decodeWindows1252 } from "./windows-1252.js";
import { WindowsStateError } from "./errors.js";

/** Largest MAPISVC.INF accepted, in bytes (real ones are tens of KiB). */
export const MAX_MAPISVC_INF_BYTES = READ_LIMITS.mapisvcInfBytes;

/** The text encoding detected from the file's first bytes. */
export type InfEncoding = "windows-1252" | "utf-16le" | "utf-16be" | "utf-8";

/** One `key=value` line. */
export interface InfEntry {
  /** Key as written (trimmed). */
  key: string;
  /** Value after the first `=`, trimmed, one pair of enclosing quotes removed. */
  value: string;
  /** 1-based line number. */
  line: number;
}

/** One `[section]` occurrence. */
export interface InfSection {
  /** Name as written (trimmed). */
  name: string;
  /** 1-based line number of the header. */
  line: number;
  entries: InfEntry[];
}

/** A parsed MAPISVC.INF (or any INI file in the profile-API dialect). */
export interface MapiSvcInf {
  encoding: InfEncoding;
  /** Every section occurrence in file order (duplicates kept). */
  sections: InfSection[];
  /** Lines the profile API ignores (outside a section, or without `=`), for evidence. */
  ignoredLines: Array<{ line: number; text: string }>;
  /** Number of lines. */
  lineCount: number;
}

/**
 * Parses MAPISVC.INF bytes.
 *
 * @throws {@link WindowsStateError} `too-large` above {@link MAX_MAPISVC_INF_BYTES};
 *   `bad-encoding` for UTF-8/UTF-16 text that does not decode.
 */
export function parseMapiSvcInf(bytes: Uint8Array, path?: string): MapiSvcInf {
  if (bytes.length > MAX_MAPISVC_INF_BYTES) {
    throw new WindowsStateError(
      "too-large",
      `MAPISVC.INF is ${bytes.length} bytes (cap ${MAX_MAPISVC_INF_BYTES})`,
      {
        structure: "MAPISVC.INF",
        ...(path === undefined ? {} : { path }),
      },
    );
  }
  const { encoding, text } = decodeInf(bytes, path);
  const lines = text.split(/\r\n|\n|\r/);
  const result: MapiSvcInf = { encoding, sections: [], ignoredLines: [], lineCount: lines.length };
  let current: InfSection | undefined;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith(";")) return;
    if (trimmed.startsWith("[")) {
      const close = trimmed.indexOf("]");
      if (close > 0) {
        current = { name: trimmed.slice(1, close).trim(), line, entries: [] };
        result.sections.push(current);
        return;
      }
    }
    const eq = raw.indexOf("=");
    if (current === undefined || eq < 0) {
      result.ignoredLines.push({ line, text: raw });
      return;
    }
    let value = raw.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    current.entries.push({ key: raw.slice(0, eq).trim(), value, line });
  });
  return result;
}

function decodeInf(bytes: Uint8Array, path: string | undefined): { encoding: InfEncoding; text: string } {
  const fail = (encoding: string, cause: unknown): WindowsStateError =>
    new WindowsStateError("bad-encoding", `MAPISVC.INF is not valid ${encoding}`, {
      structure: "MAPISVC.INF",
      cause,
      ...(path === undefined ? {} : { path }),
    });
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    try {
      return {
        encoding: "utf-16le",
        text: new TextDecoder("utf-16le", { fatal: true }).decode(
          bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)),
        ),
      };
    } catch (e) {
      throw fail("UTF-16LE", e);
    }
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    try {
      return {
        encoding: "utf-16be",
        text: new TextDecoder("utf-16be", { fatal: true }).decode(
          bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)),
        ),
      };
    } catch (e) {
      throw fail("UTF-16BE", e);
    }
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    try {
      return { encoding: "utf-8", text: new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(3)) };
    } catch (e) {
      throw fail("UTF-8", e);
    }
  }
  return { encoding: "windows-1252", text: decodeWindows1252(bytes) };
}

/** Result of a profile-API-style lookup. */
export interface InfLookup {
  /** The value MAPI would read (first section occurrence, first key occurrence). */
  value: string;
  /** The entry that won. */
  entry: InfEntry;
  /** The section occurrence it came from. */
  section: InfSection;
  /** Every occurrence of the key in every occurrence of the section (the winner first). */
  occurrences: Array<InfEntry & { sectionLine: number }>;
  /** True when the value contains `;` — a trailing "comment" the profile API keeps as data. */
  valueHasSemicolon: boolean;
}

/**
 * Looks up `key` in `section` the way GetPrivateProfileString does: first matching section,
 * first matching key, names case-insensitive. `undefined` when the first matching section lacks
 * the key — even if a later duplicate section has it (reported in `occurrences` of other keys only).
 */
export function lookupInf(inf: MapiSvcInf, section: string, key: string): InfLookup | undefined {
  const sections = sectionsNamed(inf, section);
  const first = sections[0];
  if (first === undefined) return undefined;
  const keys = keysOfSection(inf, section, sections);
  const hit = keys.get(key.toLowerCase());
  if (hit?.entry === undefined) return undefined;
  const { entry } = hit;
  return {
    value: entry.value,
    entry,
    section: first,
    occurrences: hit.occurrences.map((o) => ({ ...o })),
    valueHasSemicolon: entry.value.includes(";"),
  };
}

/** One key of a section name: its first entry in the first occurrence, and every occurrence. */
interface KeyOccurrences {
  entry: InfEntry | undefined;
  occurrences: Array<InfEntry & { sectionLine: number }>;
}

/**
 * Keys of every occurrence of a section, by lowercase key, built once per section name and file:
 * a service list naming one big section many times costs one pass over it, not one per lookup.
 */
const keyIndex = new WeakMap<MapiSvcInf, Map<string, Map<string, KeyOccurrences>>>();

function keysOfSection(
  inf: MapiSvcInf,
  section: string,
  sections: InfSection[],
): Map<string, KeyOccurrences> {
  let bySection = keyIndex.get(inf);
  if (bySection === undefined) {
    bySection = new Map();
    keyIndex.set(inf, bySection);
  }
  const name = section.toLowerCase();
  let keys = bySection.get(name);
  if (keys === undefined) {
    keys = new Map();
    sections.forEach((sec, i) => {
      for (const e of sec.entries) {
        const k = e.key.toLowerCase();
        let hit = keys!.get(k);
        if (hit === undefined) {
          hit = { entry: undefined, occurrences: [] };
          keys!.set(k, hit);
        }
        if (i === 0 && hit.entry === undefined) hit.entry = e;
        hit.occurrences.push({ ...e, sectionLine: sec.line });
      }
    });
    bySection.set(name, keys);
  }
  return keys;
}

/** The first occurrence of `section` (case-insensitive), as the profile API sees it. */
export function findInfSection(inf: MapiSvcInf, section: string): InfSection | undefined {
  return sectionsNamed(inf, section)[0];
}

/** Section occurrences by lowercase name, built once per parsed file (lookups stay O(1)). */
const sectionIndex = new WeakMap<MapiSvcInf, Map<string, InfSection[]>>();

function sectionsNamed(inf: MapiSvcInf, section: string): InfSection[] {
  let index = sectionIndex.get(inf);
  if (index === undefined) {
    index = new Map();
    for (const s of inf.sections) {
      const name = s.name.toLowerCase();
      const list = index.get(name);
      if (list === undefined) index.set(name, [s]);
      else list.push(s);
    }
    sectionIndex.set(inf, index);
  }
  return index.get(section.toLowerCase()) ?? [];
}

/**
 * Keys of the first occurrence of `section`, each with its first value (later duplicate keys
 * dropped), in file order — what GetPrivateProfileSection-based enumeration yields for the
 * `[Services]` section after duplicate suppression.
 */
export function infSectionEntries(inf: MapiSvcInf, section: string): InfEntry[] {
  const sec = findInfSection(inf, section);
  if (sec === undefined) return [];
  const seen = new Set<string>();
  const out: InfEntry[] = [];
  for (const e of sec.entries) {
    const k = e.key.toLowerCase();
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  return out;
}

/** Splits a list entry (`Providers=A, B`) into trimmed, non-empty section names. */
export function splitInfList(value: string): string[] {
  return value
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}
