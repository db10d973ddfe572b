/**
 * Check definitions and their findings. A check is data (id, severity, title, remedy, doc page)
 * plus one small pure function over {@link MachineFacts}; the catalogue lists them in order.
 *
 * Source: docs/checks/ (one page per check); docs/json-contract.md.
 */
import type { MachineFacts } from "./facts.js";

export type Severity = "info" | "warning" | "error" | "critical";

export const SEVERITY_ORDER: Record<Severity, number> = { info: 0, warning: 1, error: 2, critical: 3 };

/** Runbook step ids a finding can point to (docs/runbook.md). */
export type RemedyStep =
  | "rule-out-infection"
  | "clear-cache"
  | "recreate-profile"
  | "reset-cache"
  | "av-exclusions"
  | "collect-diagnostics"
  | "system-file-check"
  | "reinstall-koff"
  | "remove-leftovers";

export interface Finding {
  id: string;
  severity: Severity;
  title: string;
  /** What was seen, in plain words (one line). */
  message: string;
  /** Structured evidence: paths, values, verdicts. */
  evidence: Record<string, unknown>;
  /** The runbook step that fixes it, or null when there is none. */
  remedy: RemedyStep | null;
}

export interface CheckDefinition {
  /** Unique kebab-case id; docs/checks/<id>.md describes it. */
  id: string;
  /** Default severity. A check may raise it for one finding (e.g. a malicious verdict), never lower it. */
  severity: Severity;
  title: string;
  remedy: RemedyStep | null;
  /** Facts the check needs; when one is unknown in this mode the check reports nothing and says so. */
  needs?: Array<keyof MachineFacts>;
  /** Returns zero or more findings' messages and evidence. */
  run(
    facts: MachineFacts,
  ): Array<{ message: string; evidence: Record<string, unknown>; severity?: Severity }>;
}

/** Helper that types a check definition. */
export function defineCheck(def: CheckDefinition): CheckDefinition {
  return def;
}
