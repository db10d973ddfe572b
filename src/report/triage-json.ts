/**
 * `triage --json`: exactly one JSON document, schema version 1 (docs/json-contract.md).
 */
import type { ReportedPolicy } from "../app/signature-verifier.js";
import type { TriageRecord } from "../triage/index.js";
import { toolInfo } from "../version.js";

export function renderTriageJson(records: TriageRecord[], policy: ReportedPolicy): string {
  const summary = { clean: 0, suspicious: 0, malicious: 0, error: 0 };
  for (const r of records) summary[r.verdict]++;
  const doc = { schemaVersion: 1, tool: toolInfo(), policy, summary, files: records };
  return `${JSON.stringify(doc, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}
