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
import type { CertificateTable, SectionHeader } from "./types.js";

/** Where the overlay starts, how many bytes it has (certificate table excluded), and their entropy. */
export interface Overlay {
  offset: number;
  size: number;
  entropy: number;
}

/** Where the overlay starts and the runs of file bytes it has (the certificate table cut out). */
export interface OverlayRuns {
  offset: number;
  /** At most two `[start, end)` runs: before and after a certificate table lying in the overlay. */
  runs: Array<{ start: number; end: number }>;
}

/**
 * The overlay's place, without reading its bytes (their entropy is taken by the one walk over
 * the file, ./byte-walk.ts).
 * @param fileSize - the file's length in bytes.
 * @param headersEnd - end of the section table (file offset); the overlay never starts before it.
 */
export function overlayRuns(
  fileSize: number,
  sections: readonly SectionHeader[],
  headersEnd: number,
  certificateTable: CertificateTable | undefined,
): OverlayRuns {
  let start = Math.min(headersEnd, fileSize);
  for (const s of sections) {
    if (s.sizeOfRawData === 0) continue;
    const rawOffset = s.rawDataOffset ?? s.pointerToRawData;
    start = Math.max(start, Math.min(rawOffset + s.sizeOfRawData, fileSize));
  }
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
  const runs: OverlayRuns["runs"] = [];
  if (certStart > start) runs.push({ start, end: certStart });
  if (certStart < fileSize && Math.max(certEnd, certStart) < fileSize)
    runs.push({ start: Math.max(certEnd, certStart), end: fileSize });
  return { offset: start, runs };
}
