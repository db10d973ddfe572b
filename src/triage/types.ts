/**
 * Shapes of a triage result: indicators with levels, the cell of the indicator table that fired,
 * and the per-file verdict. This is the library form of `triage --json` (docs/json-contract.md).
 *
 * Source: docs/verdict.md ("The indicators"); docs/json-contract.md.
 */

/** Level of one indicator. `unknown` means the mode cannot see the fact (never read as ok). */
export type Level = "ok" | "suspicious" | "malicious" | "unknown";

/** Verdict of a file. `error` means the input could not be judged (typed reason in `error`). */
export type Verdict = "clean" | "suspicious" | "malicious" | "error";

/** Rows of the seed's indicator table. */
export type SeedRow = "Signature" | "Location" | "File size" | "Process loading it" | "High CPU / network";

/** Every indicator id triage can emit. */
export type IndicatorId =
  | "signature"
  | "location"
  | "file-size"
  | "packing"
  | "executable-behavior"
  | "dynamic-imports"
  | "process"
  | "cpu-network"
  | "provider-exports"
  | "identity"
  | "certificate-table";

/** One judged indicator. */
export interface Indicator {
  id: IndicatorId;
  /** `seed` for the user's table rows; `koff-doctor` for the signals this product adds. */
  source: "seed" | "koff-doctor";
  /** The seed row this indicator implements (our own signals name the row they inform). */
  row: SeedRow | "Identity" | "Certificate table";
  level: Level;
  /** One line in plain words: what was measured and what it showed. */
  evidence: string;
  /**
   * The table cell that fired, e.g. `"Signature × Suspicious: Missing or self-signed"`;
   * `null` when the level is `ok` or `unknown`.
   */
  cell: string | null;
  /** Structured evidence for machines (values, thresholds, offsets). */
  details?: Record<string, unknown>;
}

/** The rule that combines indicator levels into the verdict (PRODUCT.md "Verdict"). */
export function verdictOf(indicators: readonly Indicator[]): Exclude<Verdict, "error"> {
  if (indicators.some((i) => i.level === "malicious")) return "malicious";
  if (indicators.some((i) => i.level === "suspicious")) return "suspicious";
  return "clean";
}
