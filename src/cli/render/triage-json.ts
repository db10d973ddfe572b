/**
 * `triage --json`: exactly one JSON document, schema version 1 (docs/json-contract.md).
 */
import type { TriageRecord } from "../../triage/index.js";
import { toolInfo } from "../../version.js";

export interface TriageReportPolicy {
  /** Verification time, ISO 8601. */
  at: string;
  /** Trust anchor sources, e.g. `["node-bundled-roots", "file:ca.pem"]`. */
  trust: string[];
  signatures: "primary" | "all";
}

export function renderTriageJson(records: TriageRecord[], policy: TriageReportPolicy): string {
  const summary = { clean: 0, suspicious: 0, malicious: 0, error: 0 };
  for (const r of records) summary[r.verdict]++;
  const doc = { schemaVersion: 1, tool: toolInfo(), policy, summary, files: records };
  return `${JSON.stringify(doc, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}
