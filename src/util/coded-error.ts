/**
 * The base of every typed error this project throws. Each area (PE, Authenticode, registry,
 * runbook, bundle) has one subclass with a literal `code` union and structured fields, so
 * callers branch on `code`, never on message text.
 *
 * The codes each command can end with are listed in docs/exit-codes.md.
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

/** Where in the input a problem was seen; every field optional. */
export interface ErrorLocation {
  /** Byte offset in the file or blob. */
  offset?: number;
  /** The spec structure concerned, e.g. `"SignerInfo"`, `"CERT_CERT_PROP_ID"`. */
  structure?: string;
  /** File or registry path of the input. */
  path?: string;
}

/**
 * A {@link CodedError} that also says where: the base of the parsers' error classes whose
 * failures are positional (Authenticode, Windows state, bundles).
 */
export abstract class LocatedError<Code extends string> extends CodedError<Code> {
  readonly offset: number | undefined;
  readonly structure: string | undefined;
  readonly path: string | undefined;

  protected constructor(code: Code, message: string, fields: ErrorLocation & { cause?: unknown } = {}) {
    super(code, message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.offset = fields.offset;
    this.structure = fields.structure;
    this.path = fields.path;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), offset: this.offset, structure: this.structure, path: this.path };
  }
}
