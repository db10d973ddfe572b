/**
 * The ground floor of vocabulary: the words every layer shares (ports, check, runbook, CLI), each
 * defined once as a constant list with its union type. Nothing here imports anything.
 *
 * Source: docs/json-contract.md, docs/runbook.md.
 */
export { CHECK_IDS, type CheckId } from "./check-id.js";
export { MODES, type Mode } from "./mode.js";
export { STEP_IDS, type StepId } from "./step-id.js";
