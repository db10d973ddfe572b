/**
 * The report layer: the JSON documents koff-doctor prints (docs/json-contract.md) and the exit
 * codes results map to (docs/exit-codes.md). It sits below both the library's callers (bundle,
 * cli) and reads no file, spawns nothing and knows no adapter.
 */
export {
  ExitCode,
  checkExitCode,
  runbookExitCode,
  triageExitCode,
  type ExitCodeValue,
} from "./exit-codes.js";
export type { CheckReport, ReportedPolicy } from "./report-types.js";
export { stringifyJson, toJsonText, type ToolInfo } from "./json-text.js";
export { escapeHtml } from "./html-text.js";
export { eventTimeline, TIMELINE_LENGTH, type TimelineEntry } from "./timeline.js";
export { eventsJsonRecord, type EventsJsonDocument, type EventsJsonRecord } from "./events-json.js";
export {
  CHECK_SCHEMA_VERSION,
  checkJsonDocument,
  renderCheckJson,
  reportedFindings,
  summarizeCheck,
  type CheckJsonDocument,
  type CheckStatus,
  type CheckSummary,
  type CheckJsonOptions,
  type ReportedFinding,
} from "./check-json.js";
export {
  BUNDLE_REPAIR_WHERE,
  REDACTED_BUNDLE_REPAIR_WHERE,
  commandSourceOf,
  explainStep,
  findingNextStep,
  formatCommand,
  nextStep,
  PROGRAM,
  quoteArg,
  repairStep,
  shellStyleOf,
  sourceArgs,
  targetOf,
  trustFilesOf,
  type CommandSource,
  type NextStep,
  type RepairCommandOptions,
  type ShellStyle,
  type StepTarget,
} from "./next-step.js";
export {
  renderTriageJson,
  renderTriageJsonLine,
  TriageJsonWriter,
  summarizeVerdicts,
  triageJsonDocument,
  type TriageJsonDocument,
  type TriageSummary,
} from "./triage-json.js";
export {
  renderAppliedJson,
  renderLadderJson,
  renderPlanJson,
  renderRefusalJson,
  renderRunsJson,
  renderUndoneJson,
} from "./repair-json.js";
