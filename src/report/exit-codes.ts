/**
 * Process exit codes and the mapping from results to them. Scripts across a fleet branch on
 * these, so a code never changes meaning; the table is docs/exit-codes.md. 64 and 70 are the
 * BSD sysexits(3) codes EX_USAGE and EX_SOFTWARE
 * (https://man.freebsd.org/cgi/man.cgi?query=sysexits&sektion=3).
 *
 * The mapping lives below the CLI so a library caller (a fleet script, a bundle) reaches the
 * same code the command line would exit with.
 */
import { SEVERITY_ORDER, type Finding } from "../check/finding.js";
import type { RunbookError } from "../runbook/errors.js";
import type { TriageRecord } from "../triage/index.js";

export const ExitCode = {
  /** Every file clean (triage) / no finding of warning or higher (check). */
  OK: 0,
  /** At least one file suspicious (triage) / a warning-level finding (check). */
  SUSPICIOUS: 1,
  /** At least one file malicious (triage) / an error or critical finding (check). */
  MALICIOUS: 2,
  /** Some input could not be read or judged (verdict `error`), and none was malicious. */
  UNREADABLE: 3,
  /** A repair or undo refused to act (precondition failed); nothing was changed. */
  REFUSED: 4,
  /** Bad command line (sysexits EX_USAGE). */
  USAGE: 64,
  /** A defect in koff-doctor itself (sysexits EX_SOFTWARE). */
  INTERNAL: 70,
  /** Stopped by Ctrl-C (128 + SIGINT): `triage` printed what it judged so far; `repair --guided` stopped between two steps. */
  INTERRUPTED: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Exit code of a check report: {@link ExitCode.MALICIOUS} for an error or critical finding,
 * {@link ExitCode.SUSPICIOUS} for a warning, else {@link ExitCode.OK}.
 */
export function checkExitCode(report: { findings: readonly Pick<Finding, "severity">[] }): ExitCodeValue {
  const worst = Math.max(-1, ...report.findings.map((f) => SEVERITY_ORDER[f.severity]));
  if (worst >= SEVERITY_ORDER.error) return ExitCode.MALICIOUS;
  if (worst >= SEVERITY_ORDER.warning) return ExitCode.SUSPICIOUS;
  return ExitCode.OK;
}

/**
 * Exit code for a set of triage records, by precedence malicious (2) > error (3) >
 * suspicious (1) > clean (0). An empty set is {@link ExitCode.OK}.
 */
export function triageExitCode(records: readonly Pick<TriageRecord, "verdict">[]): ExitCodeValue {
  if (records.some((r) => r.verdict === "malicious")) return ExitCode.MALICIOUS;
  if (records.some((r) => r.verdict === "error")) return ExitCode.UNREADABLE;
  if (records.some((r) => r.verdict === "suspicious")) return ExitCode.SUSPICIOUS;
  return ExitCode.OK;
}

/**
 * Exit code of a refused or failed repair / undo: a bad request (`usage`, `not-found`) is
 * {@link ExitCode.USAGE}; an unreadable journal or a failed file operation (`journal-corrupt`,
 * `io`) is {@link ExitCode.UNREADABLE}; every other code is a refusal, {@link ExitCode.REFUSED}.
 */
export function runbookExitCode(e: Pick<RunbookError, "code">): ExitCodeValue {
  if (e.code === "usage" || e.code === "not-found") return ExitCode.USAGE;
  if (e.code === "journal-corrupt" || e.code === "io") return ExitCode.UNREADABLE;
  return ExitCode.REFUSED;
}
