export { RunbookError, type RunbookErrorCode } from "./errors.js";
export {
  STEP_IDS,
  type StepId,
  type Operation,
  type RunHeader,
  type RunStatus,
  type StepPlan,
  type StepDefinition,
} from "./model.js";
export { STEPS } from "./steps/index.js";
export {
  applyStep,
  listRuns,
  surveyRuns,
  type DamagedRun,
  planLadder,
  planStep,
  undoRun,
  type PlannedStep,
  type RepairEnvironment,
  type StepRequest,
} from "./engine.js";
export { defaultStateDir, securePrivateDir } from "./state-dir.js";
