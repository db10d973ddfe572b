/**
 * `triage --json`: the triage records as one JSON document, schema version 1. The document's
 * fields and their meaning are docs/json-contract.md "koff-doctor triage --json"; verdicts and
 * indicators are defined in docs/verdict.md.
 */
import type { ReportedPolicy } from "./report-types.js";
import type { TriageRecord, Verdict } from "../triage/index.js";
import { toolInfo } from "../version.js";
import { toJsonText, type ToolInfo } from "./json-text.js";

/** Files per verdict. */
export type TriageSummary = Record<Verdict, number>;

/** The `triage --json` document (docs/json-contract.md). */
export interface TriageJsonDocument {
  schemaVersion: 1;
  tool: ToolInfo;
  policy: ReportedPolicy;
  summary: TriageSummary;
  /** One record per file, in input order. */
  files: TriageRecord[];
}

/** How many of `records` have each verdict. */
export function summarizeVerdicts(records: readonly TriageRecord[]): TriageSummary {
  const summary: TriageSummary = { clean: 0, suspicious: 0, malicious: 0, error: 0 };
  for (const r of records) summary[r.verdict]++;
  return summary;
}

/** The `triage --json` document of `records`, judged under `policy`. */
export function triageJsonDocument(records: TriageRecord[], policy: ReportedPolicy): TriageJsonDocument {
  return { schemaVersion: 1, tool: toolInfo(), policy, summary: summarizeVerdicts(records), files: records };
}

/**
 * `triage --json` output: {@link triageJsonDocument} as JSON text, two-space indented, with a
 * final newline; 64-bit integers as decimal strings.
 */
export function renderTriageJson(records: TriageRecord[], policy: ReportedPolicy): string {
  return toJsonText(triageJsonDocument(records, policy));
}
