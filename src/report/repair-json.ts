/**
 * `repair --json` and `undo --json`: the runbook's results as JSON documents, schema version 1.
 * Each document is two-space indented JSON with a final newline; a refusal is
 * `{ schemaVersion, refused: { name, code, message, path, evidence } }`. The steps, runs and
 * journals they describe are docs/runbook.md.
 */
import type { CheckReport } from "./report-types.js";
import type { DamagedRun, PlannedStep } from "../runbook/engine.js";
import type { RunbookError } from "../runbook/errors.js";
import type { RunStatus } from "../runbook/model.js";

const text = (doc: unknown): string => `${JSON.stringify(doc, null, 2)}\n`;

/** A refused or failed repair / undo: `{ schemaVersion, refused }`. */
export function renderRefusalJson(e: RunbookError): string {
  return text({ schemaVersion: 1, refused: e.toJSON() });
}

/** `repair --status`: the runs kept in `stateDir`, and the damaged ones beside them. */
export function renderRunsJson(stateDir: string, runs: RunStatus[], damaged: DamagedRun[]): string {
  return text({ schemaVersion: 1, stateDir, runs, damaged });
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
      refusal: s.refusal?.toJSON(),
    })),
  });
}

/** `repair --step ID` (dry run): the step's plan, and its refusal when a precondition fails. */
export function renderPlanJson(planned: PlannedStep): string {
  return text({
    schemaVersion: 1,
    step: planned.step,
    plan: planned.plan,
    refusal: planned.refusal?.toJSON(),
    notes: planned.notes,
  });
}

/** `repair --step ID --apply`: the completed run, and whether an interrupted one was resumed. */
export function renderAppliedJson(result: { resumed: boolean; status: RunStatus }): string {
  return text({ schemaVersion: 1, resumed: result.resumed, run: result.status });
}

/** `undo`: the run as it stands after being undone. */
export function renderUndoneJson(status: RunStatus): string {
  return text({ schemaVersion: 1, run: status });
}
