/**
 * Process exit codes, documented in docs/exit-codes.md. Scripts across a fleet branch on these,
 * so they never change meaning.
 */
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
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
