/**
 * Validity of a Firebird database file (`*.fdb`, the KOFF cache) from its header page (page 0),
 * without opening it with a database engine.
 *
 * Layout (Firebird `jrd/ods.h`, `struct header_page`,
 * https://github.com/FirebirdSQL/firebird/blob/master/src/jrd/ods.h):
 * - 0x00 u8  pag_type, 1 = pag_header
 * - 0x10 u16 hdr_page_size
 * - 0x12 u16 hdr_ods_version: ODS major OR'ed with 0x8000 (ODS_FIREBIRD_FLAG)
 * - 0x40 u16 hdr_ods_minor_original (ODS 11–12); ODS 13 moved fields, so the minor is reported only as read
 *
 * Source: Firebird `src/jrd/ods.h` (above); KOFF's caches are Firebird databases (GFI, "Importing
 * KOFF database into new Outlook profile",
 * https://support.gfi.com/article/110602-importing-koff-database-into-new-outlook-profile).
 */
import { ByteReader } from "../util/byte-reader.js";

export const PAG_HEADER = 1;
export const ODS_FIREBIRD_FLAG = 0x8000;
/** Page sizes Firebird has ever allowed (1 KiB to 32 KiB). */
export const FIREBIRD_PAGE_SIZES = [1024, 2048, 4096, 8192, 16384, 32768];
/** ODS majors of Firebird 1.0 (10) through 5 (13). */
export const KNOWN_ODS_MAJORS = [10, 11, 12, 13];

export type FirebirdHeaderProblem =
  "too-small" | "not-header-page" | "bad-page-size" | "not-firebird-ods" | "unknown-ods" | "truncated";

/** Each header problem in plain words, for people (the codes stay in `check --json` evidence). */
export const FIREBIRD_PROBLEM_WORDS = {
  "too-small": "too small to hold a database header",
  "not-header-page": "the first page is not a database header page",
  "bad-page-size": "the page size is not one Firebird uses",
  "not-firebird-ods": "the header is not a Firebird one",
  "unknown-ods": "an on-disk structure version no Firebird release writes",
  truncated: "the file ends in the middle of a page",
} as const satisfies Record<FirebirdHeaderProblem, string>;

/** {@link FIREBIRD_PROBLEM_WORDS} of `code`; a code it does not know (a newer bundle's) as itself. */
export function describeFirebirdProblem(code: string): string {
  return Object.hasOwn(FIREBIRD_PROBLEM_WORDS, code)
    ? FIREBIRD_PROBLEM_WORDS[code as FirebirdHeaderProblem]
    : code;
}

export interface FirebirdHeader {
  valid: boolean;
  problems: FirebirdHeaderProblem[];
  pageType?: number;
  /** Page size in bytes. */
  pageSize?: number;
  odsMajor?: number;
  odsMinor?: number;
  /** "Firebird 2.x" etc. when the ODS major is known. */
  engine?: string;
}

const ENGINES: Record<number, string> = {
  10: "Firebird 1.x",
  11: "Firebird 2.x",
  12: "Firebird 3",
  13: "Firebird 4/5",
};

/**
 * Judges the header page of a Firebird database.
 * @param head - at least the first 1 KiB of the file (more is ignored).
 * @param fileSize - the whole file's size in bytes, to detect truncation.
 */
export function readFirebirdHeader(head: Uint8Array, fileSize: number): FirebirdHeader {
  const r = new ByteReader(head, () => new RangeError("firebird header"));
  if (!r.has(0, 0x44)) return { valid: false, problems: ["too-small"] };
  const problems: FirebirdHeaderProblem[] = [];
  const pageType = r.u8(0, "pag_type");
  const pageSize = r.u16(0x10, "hdr_page_size");
  const ods = r.u16(0x12, "hdr_ods_version");
  const odsMajor = ods & ~ODS_FIREBIRD_FLAG;
  const odsMinor = r.u16(0x40, "hdr_ods_minor_original");
  if (pageType !== PAG_HEADER) problems.push("not-header-page");
  if (!FIREBIRD_PAGE_SIZES.includes(pageSize)) problems.push("bad-page-size");
  if ((ods & ODS_FIREBIRD_FLAG) === 0) problems.push("not-firebird-ods");
  else if (!KNOWN_ODS_MAJORS.includes(odsMajor)) problems.push("unknown-ods");
  if (FIREBIRD_PAGE_SIZES.includes(pageSize) && (fileSize < pageSize || fileSize % pageSize !== 0))
    problems.push("truncated");
  return {
    valid: problems.length === 0,
    problems,
    pageType,
    pageSize,
    odsMajor,
    odsMinor,
    engine: ENGINES[odsMajor],
  };
}
