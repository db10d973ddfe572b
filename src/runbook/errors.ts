/**
 * The runbook's typed error: every refusal and failure of `repair` / `undo` carries a code, so
 * the CLI maps it to exit code 4 (refused: nothing was changed) or reports it precisely.
 */
import { CodedError } from "../util/coded-error.js";

export type RunbookErrorCode =
  /** A connector binary or provider DLL triages malicious: the ladder stops here. */
  | "refused-malicious"
  /** Outlook or KoffBackend.exe holds the cache. */
  | "refused-locked"
  /** Not enough free space for backups and the journal. */
  | "refused-disk-space"
  /**
   * A path the run would act on resolves, through a symbolic link (or junction) planted in the
   * image or the quarantine, to a place outside it: refused, never followed.
   */
  | "refused-symlink"
  /** Another repair or undo holds the lock. */
  | "refused-concurrent"
  /** A precondition of the step does not hold (e.g. nothing to do, profile not found). */
  | "refused-precondition"
  /** Bad request: unknown step, ambiguous profile, --apply without a step. */
  | "usage"
  /** A tool the step needs (hivexregedit) is missing. */
  | "tool-missing"
  /**
   * The journal is unreadable (truncated header, bad checksum, wrong field types) or names a path
   * outside the folders this tool uses (an edited journal).
   */
  | "journal-corrupt"
  /** No such run. */
  | "not-found"
  /** The file system refused an operation. */
  | "io";

export class RunbookError extends CodedError<RunbookErrorCode> {
  readonly path?: string;
  /** Structured evidence (e.g. the triage verdicts that refused). */
  readonly evidence?: unknown;

  constructor(
    code: RunbookErrorCode,
    message: string,
    fields: { path?: string; evidence?: unknown; cause?: unknown } = {},
  ) {
    super(code, message, { cause: fields.cause });
    this.path = fields.path;
    this.evidence = fields.evidence;
  }

  /** True for the codes that mean "refused before changing anything". */
  get isRefusal(): boolean {
    return this.code.startsWith("refused-") || this.code === "tool-missing";
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), path: this.path, evidence: this.evidence };
  }
}
