/**
 * The base of every typed error this project throws. Each area (PE, Authenticode, registry,
 * runbook, bundle) has one subclass with a literal `code` union and structured fields, so
 * callers branch on `code`, never on message text.
 *
 * Source: STYLE.md principle 3 ("errors carry codes, not prose").
 */
export abstract class CodedError<Code extends string> extends Error {
  /** Stable machine-readable reason, e.g. `"truncated"`. */
  readonly code: Code;

  protected constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /** A plain object for JSON output: `{ code, message, ...fields }`. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message };
  }
}
