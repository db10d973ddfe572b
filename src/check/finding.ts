/**
 * Check definitions and their findings. A check is data (id, severity, title, remedy, doc page)
 * plus one small pure function over {@link MachineFacts}; the catalogue lists them in order. Each
 * check exports the shape of its evidence (`<Name>Evidence`, in the check's own file); the
 * report lists the findings of every check together, their evidence as plain data.
 *
 * Source: docs/json-contract.md ("findings"), docs/checks/.
 */
import type { CheckId, StepId } from "../vocabulary/index.js";
import type { MachineFacts } from "./facts.js";

export type Severity = "info" | "warning" | "error" | "critical";

export const SEVERITY_ORDER: Record<Severity, number> = { info: 0, warning: 1, error: 2, critical: 3 };

/** One finding of the report, as `check --json` prints it. */
export interface Finding {
  id: CheckId;
  severity: Severity;
  title: string;
  /** What was seen, in plain words (one line). */
  message: string;
  /** Structured evidence: paths, values, verdicts (the check's own evidence type, as plain data). */
  evidence: Record<string, unknown>;
  /** The runbook step that fixes it (docs/runbook.md), or null when there is none. */
  remedy: StepId | null;
}

/** What one run of a check reports about one problem: its message and evidence of type `E`. */
export interface CheckResult<E extends object> {
  message: string;
  evidence: E;
  /** Raises the check's severity for this finding (e.g. a malicious verdict); a lower one is ignored. */
  severity?: Severity;
}

/** A check whose findings carry evidence of type `E`. */
export interface CheckDefinition<E extends object> {
  /** Unique kebab-case id; docs/checks/<id>.md describes it. */
  id: CheckId;
  /** Default severity. A check may raise it for one finding (e.g. a malicious verdict), never lower it. */
  severity: Severity;
  title: string;
  remedy: StepId | null;
  /**
   * Every fact its `run` reads (test/check/check-needs.test.ts verifies it). When one is
   * `undefined` (the mode cannot see it) or listed in `facts.notCollected`, the check reports
   * nothing and is listed as not run, with the reason.
   */
  needs?: Array<keyof MachineFacts>;
  /** Returns zero or more findings' messages and evidence. */
  run(facts: MachineFacts): Array<CheckResult<E>>;
}

/** Any check, its evidence type left open: what the catalogue lists and `runChecks` runs. */
export type AnyCheckDefinition = CheckDefinition<object>;

/**
 * Types a check definition: `defineCheck<MyEvidence>({ … })`. Build each evidence object with
 * `satisfies MyEvidence` as well, so a key the interface does not name is an error too.
 */
export function defineCheck<E extends object>(def: CheckDefinition<E>): CheckDefinition<E> {
  return def;
}
