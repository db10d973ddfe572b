/**
 * One file's triage record: what `triage --json` prints per file (docs/json-contract.md,
 * `files[]`) and what a redacted bundle carries for a withheld PE. It is a leaf of the import
 * graph (types only), so the ports can name it without importing triage.
 *
 * Source: docs/json-contract.md; docs/verdict.md.
 */
import type { PeSummary } from "./pe-summary.js";
import type { SignatureSummary } from "./signature-summary.js";
import type { Indicator, Verdict } from "./types.js";

/** One file's triage record: the library form of an entry of `triage --json` `files[]`. */
export interface TriageRecord {
  /** Path as given by the caller. */
  path: string;
  windowsPath?: string;
  sha256: string;
  /** Size in bytes. */
  size: number;
  verdict: Verdict;
  error?: { code: string; message: string; offset?: number; structure?: string };
  signature?: SignatureSummary & { details?: unknown };
  indicators: Indicator[];
  pe?: PeSummary;
  /**
   * Set when this record was not computed here but read from a redacted bundle's
   * `snapshot/pe-facts.json` (the file's bytes were withheld). A bundle is not authenticated: the
   * verdict is the collecting machine's word, not this run's finding.
   */
  carried?: { from: string; note: string };
}
