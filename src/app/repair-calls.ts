/**
 * `repair` as library calls: plan one step of the repair ladder, then apply it under the lock
 * with a write-ahead journal, reversible byte for byte with `undoRun`. The steps, their
 * preconditions, the journal and the quarantine are docs/runbook.md.
 */
import {
  applyStep,
  planStep,
  type PlannedStep,
  type RepairEnvironment,
  type RunStatus,
  type StepRequest,
} from "../runbook/index.js";
import type { CheckReport } from "./check-machine.js";

/**
 * Plans `request` against a fresh check of `env.snapshot`. Changes nothing, takes no lock.
 *
 * @param env - the machine (its snapshot), the state folder for journals, and for an image its
 *   host root; `trustFiles` and `at` are used by the embedded check.
 * @param request - the step id (one of `STEP_IDS`) and, where the step needs one, the Outlook
 *   profile or Windows user it acts on.
 * @returns the step's plan (`plan.operations`, `warnings`, `guidance`, `exports`), the check
 *   `report` it was planned from, a fresh `runId`, `notes` on preconditions this mode cannot
 *   judge, and `refusal` (a {@link RunbookError}) when a precondition refuses the step.
 * @throws RunbookError `usage` for an unknown step id.
 */
export async function planRepair(
  env: RepairEnvironment,
  request: StepRequest,
): Promise<PlannedStep & { report: CheckReport; runId: string }> {
  return planStep(env, request);
}

/**
 * Applies one step: completes an interrupted run of the same step, or plans and runs a new one.
 * Every change is journalled in `env.stateDir` before it is made; nothing is deleted (files are
 * moved into the quarantine), so {@link undoRun} restores the machine byte for byte.
 *
 * @returns the run's status (its header lists every operation) and whether it was `resumed`.
 * @throws RunbookError with a `refused-*` or `tool-missing` code when a precondition refuses
 *   (nothing changed); `refused-concurrent` when another run holds the lock; `journal-corrupt`
 *   when an unfinished run's journal is damaged; `io` when the file system refuses an operation.
 */
export async function applyRepair(
  env: RepairEnvironment,
  request: StepRequest,
): Promise<{ status: RunStatus; planned?: PlannedStep; resumed: boolean }> {
  return applyStep(env, request);
}
