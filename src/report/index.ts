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
export { toJsonText, type ToolInfo } from "./json-text.js";
export { checkJsonDocument, renderCheckJson, type CheckJsonDocument } from "./check-json.js";
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
