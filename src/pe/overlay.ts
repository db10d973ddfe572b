/**
 * The overlay: bytes after the end of the furthest section's raw data (or after the headers when
 * no section has raw data), not counting the certificate table when it lies there. pefile counts
 * the certificate table as overlay; we do not, so a signature alone never looks like appended
 * data.
 *
 * Source: pefile `get_overlay_data_start_offset` (the idea; https://github.com/erocarrera/pefile);
 * PE/COFF specification §5.7 (the certificate table is not mapped;
 * https://learn.microsoft.com/en-us/windows/win32/debug/pe-format).
 */
import { addToHistogram, entropyOfHistogram } from "./entropy.js";
import type { CertificateTable, SectionHeader } from "./types.js";

/** Where the overlay starts, how many bytes it has (certificate table excluded), and their entropy. */
export interface Overlay {
  offset: number;
  size: number;
  entropy: number;
}

/**
 * @param bytes - the whole file.
 * @param headersEnd - end of the section table (file offset); the overlay never starts before it.
 */
export function computeOverlay(
  bytes: Uint8Array,
  sections: readonly SectionHeader[],
  headersEnd: number,
  certificateTable: CertificateTable | undefined,
): Overlay {
  const fileSize = bytes.length;
  let start = Math.min(headersEnd, fileSize);
  for (const s of sections) {
    if (s.sizeOfRawData === 0) continue;
    const rawOffset = s.rawDataOffset ?? s.pointerToRawData;
    start = Math.max(start, Math.min(rawOffset + s.sizeOfRawData, fileSize));
  }
  const histogram = new Uint32Array(256);
  let size = 0;
  let certStart = fileSize;
  let certEnd = fileSize;
  if (
    certificateTable !== undefined &&
    certificateTable.offset < fileSize &&
    certificateTable.offset + certificateTable.size > start
  ) {
    certStart = Math.max(start, certificateTable.offset);
    certEnd = Math.min(fileSize, certificateTable.offset + certificateTable.size);
  }
  if (certStart > start) size += addToHistogram(histogram, bytes.subarray(start, certStart));
  if (certStart < fileSize)
    size += addToHistogram(histogram, bytes.subarray(Math.max(certEnd, certStart), fileSize));
  return { offset: start, size, entropy: entropyOfHistogram(histogram, size) };
}
