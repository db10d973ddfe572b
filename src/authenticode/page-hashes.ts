/**
 * Page hashes (the per-page digests Code Integrity checks when a page is loaded): one record per
 * page of the headers and of every section with raw data, each page zero-padded, then a final
 * record holding the end offset and an all-zero digest. Page size is the architecture's page
 * (4 KiB; 8 KiB for IA64), NOT SectionAlignment: signify #58 (SysWOW64 kernel32.dll with
 * SectionAlignment 0x10000) and relic #32; osslsigncode uses SectionAlignment (a deliberate
 * difference, see docs/authenticode.md).
 *
 * Sources: osslsigncode `pe_page_hash_calc` (record layout, header page with CheckSum and the
 * certificate-table entry removed); signify `page_size`; docs/authenticode.md ("Where we differ,
 * and why").
 */
import { newHash } from "./algorithms.js";
import { excludedRanges, includedRanges } from "./authentihash.js";
import type { PeLayout } from "./pe-layout.js";

/** IMAGE_FILE_MACHINE_IA64. */
const MACHINE_IA64 = 0x0200;

/** Page size used for page hashes of an image, bytes. */
export function pageSize(pe: PeLayout): number {
  return pe.fileHeader.machine === MACHINE_IA64 ? 0x2000 : 0x1000;
}

/**
 * Recomputes the page-hash table of `bytes`.
 * @param algorithm - sha1 (1.3.6.1.4.1.311.2.3.1) or sha256 (…2.3.2).
 * @returns the concatenated {u32 offset, digest} records, or undefined when the layout cannot be
 *   hashed (headers larger than a page, a section past the end of the file).
 */
export function computePageHashes(
  bytes: Uint8Array,
  pe: PeLayout,
  algorithm: "sha1" | "sha256",
): Uint8Array | undefined {
  const page = pageSize(pe);
  const headerSize = pe.optionalHeader.sizeOfHeaders;
  if (headerSize > page || headerSize > bytes.length) return undefined;
  const zeroes = new Uint8Array(page);
  const records: Buffer[] = [];
  const record = (offset: number, digest: Buffer): void => {
    const head = Buffer.alloc(4);
    head.writeUInt32LE(offset >>> 0);
    records.push(head, digest);
  };

  // Header page: [0, SizeOfHeaders) minus CheckSum and the certificate-table entry, padded with
  // zeros by (page − SizeOfHeaders) bytes, as osslsigncode writes it.
  const header = newHash(algorithm);
  const headerExcluded = excludedRanges(pe, headerSize).filter((r) => r.what !== "certificate-table");
  for (const range of includedRanges(headerExcluded, headerSize))
    header.update(bytes.subarray(range.offset, range.offset + range.length));
  header.update(zeroes.subarray(0, page - headerSize));
  record(0, header.digest());

  let last = 0;
  const maxRecords = Math.ceil(bytes.length / page) + pe.sections.length + 2;
  for (const section of pe.sections) {
    const start = section.pointerToRawData;
    const size = section.sizeOfRawData;
    if (size === 0) continue;
    if (start + size > bytes.length) return undefined;
    for (let at = 0; at < size; at += page) {
      if (records.length / 2 > maxRecords) return undefined;
      const chunk = bytes.subarray(start + at, start + Math.min(at + page, size));
      const h = newHash(algorithm).update(chunk);
      if (chunk.length < page) h.update(zeroes.subarray(0, page - chunk.length));
      record(start + at, h.digest());
    }
    last = start + size;
  }
  record(last, Buffer.alloc(algorithm === "sha1" ? 20 : 32));
  return Buffer.concat(records);
}
