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
import {
  commandSourceOf,
  explainStep,
  findingNextStep,
  trustFilesOf,
  type NextStep,
  type ShellStyle,
} from "./next-step.js";

/** One finding as `check --json` prints it: the check's finding, then what to run next. */
export type ReportedFinding = CheckRun["findings"][number] & {
  /** The command to run next (docs/json-contract.md "findings"): the remedy's repair step, or the doc page. */
  next: NextStep;
  /** The command that prints the check's doc page: `koff-doctor explain ID`. */
  explain: NextStep;
};

/** How the commands of a report are written. */
export interface CheckJsonOptions {
  /** The shell `next.command` is quoted for; default `posix`. */
  shell?: ShellStyle;
}

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
  findings: ReportedFinding[];
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
export function checkJsonDocument(report: CheckReport, opts: CheckJsonOptions = {}): CheckJsonDocument {
  // mode and source are top-level fields; triage is its own array.
  const { triage, mode: _mode, source: _source, ...facts } = report.facts;
  return {
    schemaVersion: 1,
    tool: toolInfo(),
    mode: report.facts.mode,
    source: report.facts.source,
    policy: report.policy,
    findings: reportedFindings(report, opts.shell ?? "posix"),
    notRun: report.notRun,
    timeline: eventTimeline(report.facts),
    facts,
    triage,
  };
}

/** The findings of `report`, each with the commands to run next, quoted for `shell`. */
export function reportedFindings(report: CheckReport, shell: ShellStyle): ReportedFinding[] {
  const source = commandSourceOf(report.facts);
  const trust = trustFilesOf(report.policy);
  return report.findings.map((f) => ({
    ...f,
    next: findingNextStep(f, source, shell, trust),
    explain: explainStep(f.id, shell),
  }));
}

/**
 * `check --json` output: {@link checkJsonDocument} as JSON text, two-space indented, with a final
 * newline; 64-bit integers (PE32+ image bases) as decimal strings.
 */
export function renderCheckJson(report: CheckReport, opts: CheckJsonOptions = {}): string {
  return toJsonText(checkJsonDocument(report, opts));
}
