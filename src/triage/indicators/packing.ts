/**
 * Indicator-table row "File size", the "(packed)" part of the Suspicious cell: packing signals per
 * {@link analyzePacking}. One strong signal or two weak ones make the image packed. Packed is
 * suspicious, never malicious on its own: signed software is sometimes UPX-packed (docs/verdict.md,
 * "Packing: strong and weak signals").
 */
import type { PackingAnalysis } from "../packing.js";
import { seedCell } from "../seed-table.js";
import type { Indicator } from "../types.js";

export function packingIndicator(packing: PackingAnalysis): Indicator {
  const base = { id: "packing", source: "seed", row: "File size" } as const;
  const details = { signals: packing.signals };
  const tagged = (xs: PackingAnalysis["signals"]) => xs.map((s) => `${s.message} [${s.strength}]`).join("; ");
  if (packing.packed) {
    return {
      ...base,
      level: "suspicious",
      evidence: `packed: ${tagged(packing.signals)}`,
      cell: seedCell("File size", "suspicious", "packed"),
      details,
    };
  }
  const note = packing.signals.length === 1 ? ` (one weak signal: ${packing.signals[0]!.message})` : "";
  return { ...base, level: "ok", evidence: `no sign of packing${note}`, cell: null, details };
}
