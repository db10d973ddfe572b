/**
 * `repair --json` and `undo --json`: the runbook's results as JSON documents, schema version 1.
 * Each document is two-space indented JSON with a final newline; a refusal is
 * `{ schemaVersion, refused: { name, code, message, path, evidence } }`. The steps, runs and
 * journals they describe are docs/runbook.md; the documents' JSON Schema is
 * schemas/repair.schema.json (one of the `*JsonDocument` shapes below).
 */
import type { CheckReport } from "./report-types.js";
import type { DamagedRun, PlannedStep } from "../runbook/engine.js";
import type { RunbookError, RunbookErrorCode } from "../runbook/errors.js";
import type { RunStatus } from "../runbook/model.js";
import type { StepPlan } from "../runbook/model.js";
import type { StepId } from "../vocabulary/index.js";

const text = (doc: unknown): string => `${JSON.stringify(doc, null, 2)}\n`;

/** A runbook error as JSON: what refused and why, with its evidence. */
export interface RefusalJson {
  name: string;
  code: RunbookErrorCode;
  message: string;
  /** The path concerned, when there is one. */
  path?: string;
  /** Structured evidence (e.g. the triage verdicts that refused). */
  evidence?: unknown;
}

/** A refused or failed repair / undo. */
export interface RefusalJsonDocument {
  schemaVersion: 1;
  refused: RefusalJson;
}

/** `repair --status`: the runs kept in the state folder, and the damaged ones. */
export interface RunsJsonDocument {
  schemaVersion: 1;
  stateDir: string;
  runs: RunStatus[];
  damaged: DamagedRun[];
}

/** One rung of the ladder `repair` without a step prints. */
export interface LadderStepJson {
  step: StepId;
  kind: PlannedStep["kind"];
  title: string;
  /** The finding ids that call for the step. */
  findings: string[];
  plan: StepPlan;
  notes: string[];
  refusal?: RefusalJson;
}

/** `repair` without a step: the findings and the ladder of steps they call for. */
export interface LadderJsonDocument {
  schemaVersion: 1;
  findings: CheckReport["findings"];
  steps: LadderStepJson[];
}

/** `repair --step ID` (dry run): the plan, and its refusal when a precondition fails. */
export interface PlanJsonDocument {
  schemaVersion: 1;
  step: StepId;
  plan: StepPlan;
  refusal?: RefusalJson;
  notes: string[];
}

/** `repair --step ID --apply`: the completed run, and whether an interrupted one was resumed. */
export interface AppliedJsonDocument {
  schemaVersion: 1;
  resumed: boolean;
  run: RunStatus;
}

/** `undo`: the run as it stands after being undone. */
export interface UndoneJsonDocument {
  schemaVersion: 1;
  run: RunStatus;
}

/** Every document `repair --json` and `undo --json` print. */
export type RepairJsonDocument =
  | RefusalJsonDocument
  | RunsJsonDocument
  | LadderJsonDocument
  | PlanJsonDocument
  | AppliedJsonDocument
  | UndoneJsonDocument;

const refusalJson = (e: RunbookError): RefusalJson => e.toJSON() as unknown as RefusalJson;

/** A refused or failed repair / undo: `{ schemaVersion, refused }`. */
export function renderRefusalJson(e: RunbookError): string {
  return text({ schemaVersion: 1, refused: refusalJson(e) } satisfies RefusalJsonDocument);
}

/** `repair --status`: the runs kept in `stateDir`, and the damaged ones beside them. */
export function renderRunsJson(stateDir: string, runs: RunStatus[], damaged: DamagedRun[]): string {
  return text({ schemaVersion: 1, stateDir, runs, damaged } satisfies RunsJsonDocument);
}

/** `repair` without a step: the findings and the ladder of steps they call for. */
export function renderLadderJson(ladder: {
  report: Pick<CheckReport, "findings">;
  steps: Array<PlannedStep & { findings: string[] }>;
}): string {
  return text({
    schemaVersion: 1,
    findings: ladder.report.findings,
    steps: ladder.steps.map((s) => ({
      step: s.step,
      kind: s.kind,
      title: s.title,
      findings: s.findings,
      plan: s.plan,
      notes: s.notes,
      refusal: s.refusal === undefined ? undefined : refusalJson(s.refusal),
    })),
  } satisfies LadderJsonDocument);
}

/** `repair --step ID` (dry run): the step's plan, and its refusal when a precondition fails. */
export function renderPlanJson(planned: PlannedStep): string {
  return text({
    schemaVersion: 1,
    step: planned.step,
    plan: planned.plan,
    refusal: planned.refusal === undefined ? undefined : refusalJson(planned.refusal),
    notes: planned.notes,
  } satisfies PlanJsonDocument);
}

/** `repair --step ID --apply`: the completed run, and whether an interrupted one was resumed. */
export function renderAppliedJson(result: { resumed: boolean; status: RunStatus }): string {
  return text({
    schemaVersion: 1,
    resumed: result.resumed,
    run: result.status,
  } satisfies AppliedJsonDocument);
}

/** `undo`: the run as it stands after being undone. */
export function renderUndoneJson(status: RunStatus): string {
  return text({ schemaVersion: 1, run: status } satisfies UndoneJsonDocument);
}
