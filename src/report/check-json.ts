/**
 * `check --json`: the check report as one JSON document, schema version 1. The document's
 * fields and their meaning are docs/json-contract.md "koff-doctor check --json"; fields are only
 * ever added within a schema version.
 */
import type { CheckReport } from "./report-types.js";
import type { MachineFacts } from "../check/facts.js";
import type { CheckRun } from "../check/run-checks.js";
import type { ReportedPolicy } from "./report-types.js";
import type { TriageRecord } from "../triage/index.js";
import { toolInfo } from "../version.js";
import { toJsonText, type ToolInfo } from "./json-text.js";
import { eventTimeline, type TimelineEntry } from "./timeline.js";

/** The `check --json` document (docs/json-contract.md). */
export interface CheckJsonDocument {
  schemaVersion: 1;
  tool: ToolInfo;
  /** `image`, `live` or `bundle`. */
  mode: MachineFacts["mode"];
  /** What was read: `live`, `image DIR` or `bundle FILE.zip`. */
  source: string;
  policy: ReportedPolicy;
  /** Sorted by severity (critical first), then by catalogue order. */
  findings: CheckRun["findings"];
  /** Checks that need a fact this mode cannot see: never reported as passing. */
  notRun: CheckRun["notRun"];
  /** The last relevant event-log records, oldest first (src/report/timeline.ts). */
  timeline: TimelineEntry[];
  /** Every fact of the report except `mode`, `source` and `triage`, which are top-level fields. */
  facts: Omit<MachineFacts, "mode" | "source" | "triage">;
  /** The same records as `triage --json` `files[]`. */
  triage: TriageRecord[];
}

/** The `check --json` document of `report`. */
export function checkJsonDocument(report: CheckReport): CheckJsonDocument {
  // mode and source are top-level fields; triage is its own array.
  const { triage, mode: _mode, source: _source, ...facts } = report.facts;
  return {
    schemaVersion: 1,
    tool: toolInfo(),
    mode: report.facts.mode,
    source: report.facts.source,
    policy: report.policy,
    findings: report.findings,
    notRun: report.notRun,
    timeline: eventTimeline(report.facts),
    facts,
    triage,
  };
}

/**
 * `check --json` output: {@link checkJsonDocument} as JSON text, two-space indented, with a final
 * newline; 64-bit integers (PE32+ image bases) as decimal strings.
 */
export function renderCheckJson(report: CheckReport): string {
  return toJsonText(checkJsonDocument(report));
}
