/**
 * Indicator-table row "File size" (docs/verdict.md), size part: Suspicious = "<100 KB or >5 MB".
 * (Packing and "executable behavior" of the same row are their own indicators, `packing` and
 * `executable-behavior`.)
 */
import { seedCell } from "../seed-table.js";
import type { TriageSubject } from "../subject.js";
import { LARGE_FILE_BYTES, SMALL_FILE_BYTES } from "../thresholds.js";
import type { Indicator } from "../types.js";

export function fileSizeIndicator(s: TriageSubject): Indicator {
  const base = { id: "file-size", source: "seed", row: "File size" } as const;
  const details = { size: s.size, smallBelow: SMALL_FILE_BYTES, largeAbove: LARGE_FILE_BYTES };
  if (s.size < SMALL_FILE_BYTES) {
    return {
      ...base,
      level: "suspicious",
      evidence: `${s.size} bytes, below 100 KiB`,
      cell: seedCell("File size", "suspicious", "below 100 KiB"),
      details,
    };
  }
  if (s.size > LARGE_FILE_BYTES) {
    return {
      ...base,
      level: "suspicious",
      evidence: `${s.size} bytes, above 5 MiB`,
      cell: seedCell("File size", "suspicious", "above 5 MiB"),
      details,
    };
  }
  return { ...base, level: "ok", evidence: `${s.size} bytes, within 100 KiB – 5 MiB`, cell: null, details };
}
