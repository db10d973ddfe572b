/**
 * Runs the catalogue over gathered facts: pure, ordered by severity (highest first), then by
 * catalogue order. Checks needing a fact the mode cannot see (`undefined`) or that was not
 * collected (`facts.notCollected`: its collector timed out or was skipped) are listed as not
 * run, with the reason, rather than reported as passing.
 */
import { CATALOGUE } from "./catalogue.js";
import type { MachineFacts } from "./facts.js";
import type { CheckId } from "../vocabulary/index.js";
import { SEVERITY_ORDER, type AnyCheckDefinition, type Finding } from "./finding.js";

export interface CheckRun {
  findings: Finding[];
  /** Checks that could not run in this mode: `{ id, reason }`. */
  notRun: Array<{ id: CheckId; reason: string }>;
}

export function runChecks(
  facts: MachineFacts,
  catalogue: readonly AnyCheckDefinition[] = CATALOGUE,
): CheckRun {
  const findings: Array<Finding & { order: number }> = [];
  const notRun: CheckRun["notRun"] = [];
  catalogue.forEach((check, order) => {
    const missing = (check.needs ?? []).filter(
      (k) => facts[k] === undefined || facts.notCollected?.[k] !== undefined,
    );
    if (missing.length > 0) {
      notRun.push({
        id: check.id,
        reason: missing
          .map((k) => `${k}: ${facts.notCollected?.[k] ?? facts.unknown[k] ?? "unknown"}`)
          .join("; "),
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
        // Each check's evidence type ends here: the report lists every check's findings together.
        evidence: r.evidence as Finding["evidence"],
        remedy: check.remedy,
        order,
      });
    }
  });
  findings.sort((a, b) => SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] || a.order - b.order);
  return { findings: findings.map(({ order: _order, ...f }) => f), notRun };
}
