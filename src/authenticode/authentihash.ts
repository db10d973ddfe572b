/**
 * The Authenticode image hash ("authentihash"), computed the "flat" way: hash the whole file except
 * the CheckSum field (4 bytes), the certificate-table data-directory entry (8 bytes) and the
 * certificate table itself. This is what Windows, signify (`add_signed_pe_hashers`), osslsigncode
 * (`pe_digest_calc_bio`) and MeshCentral compute; the specification's section-sorted walk disagrees
 * on UPX-packed files and installers (Authenticode_PE.docx "Calculating the PE Image Hash",
 * https://download.microsoft.com/download/9/c/5/9c5b2167-8017-4bae-9fde-d599bac8184a/Authenticode_PE.docx;
 * uthenticode #59, goblin #416; docs/authenticode.md "Where we differ, and why").
 *
 * Unsigned files: Windows and osslsigncode zero-pad the hashed data to a multiple of 8 bytes
 * (systeminformer #3073/#3074); VirusTotal does not. Both values are returned.
 */
import { newHash, type DigestAlgorithm } from "./algorithms.js";
import { certificateTableLocation, securityDirectory, type PeLayout } from "./pe-layout.js";

/** A byte range left out of the hash. */
export interface ExcludedRange {
  /** File offset, bytes. */
  offset: number;
  /** Length, bytes (clipped to the file). */
  length: number;
  what: "CheckSum" | "certificate-table-entry" | "certificate-table";
}

/** An authentihash and how it was computed. */
export interface Authentihash {
  algorithm: DigestAlgorithm;
  /** Lower-case hex. */
  digest: string;
  /** What was excluded, in file order. */
  excludedRanges: ExcludedRange[];
  /** Total bytes hashed (before any padding). */
  hashedBytes: number;
  /** Unsigned files only: the digest with (8 − FILE_SIZE mod 8) mod 8 zero bytes appended (Windows' and osslsigncode's value). */
  zeroPaddedDigest?: string;
}

/**
 * The ranges the flat method leaves out, clipped to the file and in file order.
 * @param fileSize - bytes.
 */
export function excludedRanges(pe: PeLayout, fileSize: number): ExcludedRange[] {
  const ranges: ExcludedRange[] = [];
  const add = (offset: number, length: number, what: ExcludedRange["what"]): void => {
    const start = Math.max(0, Math.min(offset, fileSize));
    const end = Math.max(start, Math.min(offset + length, fileSize));
    if (end > start) ranges.push({ offset: start, length: end - start, what });
  };
  add(pe.optionalHeader.checkSumOffset, 4, "CheckSum");
  const dir = securityDirectory(pe);
  if (dir) add(dir.entryOffset, 8, "certificate-table-entry");
  const table = certificateTableLocation(pe);
  if (table) add(table.offset, table.size, "certificate-table");
  return ranges.sort((a, b) => a.offset - b.offset);
}

/** The complement of `excluded` in `[0, fileSize)`: the ranges that are hashed, in order. */
export function includedRanges(
  excluded: readonly ExcludedRange[],
  fileSize: number,
): Array<{ offset: number; length: number }> {
  const included: Array<{ offset: number; length: number }> = [];
  let pos = 0;
  for (const range of excluded) {
    if (range.offset > pos) included.push({ offset: pos, length: range.offset - pos });
    pos = Math.max(pos, range.offset + range.length);
  }
  if (pos < fileSize) included.push({ offset: pos, length: fileSize - pos });
  return included;
}

/**
 * Computes the authentihash of `bytes` (the whole file) with node:crypto, hashing subarrays of
 * the input (no copies).
 *
 * @param bytes - the file.
 * @param pe - its parsed layout (`PeImage` fits).
 * @param algorithm - digest algorithm.
 * @returns digest, excluded ranges, and for unsigned files the zero-padded variant.
 * @throws AuthenticodeError `unsupported-algorithm` when node:crypto lacks the digest.
 */
export function authentihash(bytes: Uint8Array, pe: PeLayout, algorithm: DigestAlgorithm): Authentihash {
  const fileSize = bytes.length;
  const excluded = excludedRanges(pe, fileSize);
  const hash = newHash(algorithm);
  let hashedBytes = 0;
  for (const range of includedRanges(excluded, fileSize)) {
    hash.update(bytes.subarray(range.offset, range.offset + range.length));
    hashedBytes += range.length;
  }
  const signed = certificateTableLocation(pe) !== undefined;
  if (signed) return { algorithm, digest: hash.digest("hex"), excludedRanges: excluded, hashedBytes };
  const padded = hash.copy();
  // Padding follows the FILE size (spec step 5; osslsigncode), not the number of bytes hashed.
  const padding = (8 - (fileSize % 8)) % 8;
  if (padding > 0) padded.update(new Uint8Array(padding));
  return {
    algorithm,
    digest: hash.digest("hex"),
    excludedRanges: excluded,
    hashedBytes,
    zeroPaddedDigest: padded.digest("hex"),
  };
}
