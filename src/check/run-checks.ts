/**
 * Runs the catalogue over gathered facts: pure, ordered by severity (highest first), then by
 * catalogue order. Checks whose facts the mode cannot see are listed as not run, with the reason,
 * rather than reported as passing.
 */
import { CATALOGUE } from "./catalogue.js";
import type { MachineFacts } from "./facts.js";
import { SEVERITY_ORDER, type CheckDefinition, type Finding } from "./finding.js";

export interface CheckRun {
  findings: Finding[];
  /** Checks that could not run in this mode: `{ id, reason }`. */
  notRun: Array<{ id: string; reason: string }>;
}

export function runChecks(facts: MachineFacts, catalogue: readonly CheckDefinition[] = CATALOGUE): CheckRun {
  const findings: Array<Finding & { order: number }> = [];
  const notRun: CheckRun["notRun"] = [];
  catalogue.forEach((check, order) => {
    const missing = (check.needs ?? []).filter((k) => facts[k] === undefined);
    if (missing.length > 0) {
      notRun.push({
        id: check.id,
        reason: missing.map((k) => `${k}: ${facts.unknown[k] ?? "unknown"}`).join("; "),
      });
      return;
    }
    for (const r of check.run(facts)) {
      const severity =
        r.severity && SEVERITY_ORDER[r.severity] > SEVERITY_ORDER[check.severity]
          ? r.severity
          : check.severity;
      findings.push({
        id: check.id,
        severity,
        title: check.title,
        message: r.message,
        evidence: r.evidence,
        remedy: check.remedy,
        order,
      });
    }
  });
  findings.sort((a, b) => SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] || a.order - b.order);
  return { findings: findings.map(({ order: _order, ...f }) => f), notRun };
}
