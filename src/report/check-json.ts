/**
 * `check --json`: the check report as one JSON document, schema version 2 (the host report of
 * docs/fleet.md). The document's fields and their meaning are docs/json-contract.md
 * "koff-doctor check --json", its JSON Schema schemas/check.schema.json; fields are only ever
 * added within a schema version.
 */
import type { CheckReport } from "./report-types.js";
import type { MachineFacts } from "../check/facts.js";
import type { CheckRun } from "../check/run-checks.js";
import type { ReportedPolicy } from "./report-types.js";
import type { TriageRecord } from "../triage/index.js";
import { SEVERITY_ORDER, type Finding, type Severity } from "../check/finding.js";
import type { HostFacts } from "../check/facts.js";
import { toolInfo } from "../version.js";
import { checkExitCode, type ExitCodeValue } from "./exit-codes.js";
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
export interface ReportedFinding extends Finding {
  /** The command to run next (docs/json-contract.md "findings"): the remedy's repair step, or the doc page. */
  next: NextStep;
  /** The command that prints the check's doc page: `koff-doctor explain ID`. */
  explain: NextStep;
}

/** How the commands of a report are written. */
export interface CheckJsonOptions {
  /** The shell `next.command` is quoted for; default `posix`. */
  shell?: ShellStyle;
}

/** The schema version of `check --json` (docs/json-contract.md "History"). */
export const CHECK_SCHEMA_VERSION = 2;

/**
 * The overall status of a check: the worst severity among the findings, `ok` when there is
 * none. `complete` is false when a check could not run (see `notRun`).
 */
export type CheckStatus = "ok" | Severity;

/** `summary` of `check --json`: counts per severity, the overall status and the exit code. */
export interface CheckSummary {
  status: CheckStatus;
  /** The exit code `check` ends with (docs/exit-codes.md). */
  exitCode: ExitCodeValue;
  /** Findings per severity. */
  findings: Record<Severity, number>;
  /** Checks not run (their facts were not seen). */
  notRun: number;
  /** False when a check could not run: `ok` then means "nothing found among the checks run". */
  complete: boolean;
}

/** The `check --json` document (docs/json-contract.md). */
export interface CheckJsonDocument {
  schemaVersion: typeof CHECK_SCHEMA_VERSION;
  tool: ToolInfo;
  /** The collection's id (a UUID); a bundle keeps the id of its collection. */
  runId: string;
  /** ISO 8601 UTC: when the facts were collected, apart from `policy.at`. */
  collectedAt: string;
  /** Who the machine is. */
  host: HostFacts;
  summary: CheckSummary;
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
  /** Every fact of the report except `mode`, `source`, `host` and `triage`, which are top-level fields. */
  facts: Omit<MachineFacts, "mode" | "source" | "host" | "triage">;
  /** The same records as `triage --json` `files[]`. */
  triage: TriageRecord[];
}

/** The summary of a check run: counts per severity, overall status and exit code. */
export function summarizeCheck(report: Pick<CheckReport, "findings" | "notRun">): CheckSummary {
  const findings: Record<Severity, number> = { critical: 0, error: 0, warning: 0, info: 0 };
  let status: CheckStatus = "ok";
  for (const f of report.findings) {
    findings[f.severity]++;
    if (status === "ok" || SEVERITY_ORDER[f.severity] > SEVERITY_ORDER[status]) status = f.severity;
  }
  return {
    status,
    exitCode: checkExitCode(report),
    findings,
    notRun: report.notRun.length,
    complete: report.notRun.length === 0,
  };
}

/** The `check --json` document of `report`. */
export function checkJsonDocument(report: CheckReport, opts: CheckJsonOptions = {}): CheckJsonDocument {
  // mode, source and host are top-level fields; triage is its own array.
  const { triage, mode: _mode, source: _source, host, ...facts } = report.facts;
  return {
    schemaVersion: CHECK_SCHEMA_VERSION,
    tool: toolInfo(),
    runId: report.runId,
    collectedAt: report.collectedAt,
    host,
    summary: summarizeCheck(report),
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
