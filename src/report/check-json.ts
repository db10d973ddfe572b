/**
 * `check --json`: one document, schema version 1 (docs/json-contract.md).
 */
import type { CheckReport } from "../app/check-machine.js";
import { toolInfo } from "../version.js";

export function renderCheckJson(report: CheckReport): string {
  // mode and source are top-level fields; triage is its own array.
  const { triage, mode: _mode, source: _source, ...facts } = report.facts;
  const doc = {
    schemaVersion: 1,
    tool: toolInfo(),
    mode: report.facts.mode,
    source: report.facts.source,
    policy: report.policy,
    findings: report.findings,
    notRun: report.notRun,
    facts,
    triage,
  };
  return `${JSON.stringify(doc, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}
