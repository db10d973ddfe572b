/**
 * The one typed error of the Authenticode area. Parsers and verifiers in `src/authenticode/`
 * throw only this class (never a bare Error, RangeError or an asn1js/pkijs object).
 *
 * Source: STYLE.md principle 3; `src/util/coded-error.ts`.
 */
import { CodedError } from "../util/coded-error.js";

/** Why an Authenticode structure could not be read or used. */
export type AuthenticodeErrorCode =
  /** A read ran past the end of the bytes it was given. */
  | "truncated"
  /** asn1js could not decode BER/DER, or the decoded tree is not the expected shape. */
  | "asn1-malformed"
  /** The ContentInfo is not PKCS#7 SignedData (1.2.840.113549.1.7.2). */
  | "not-signed-data"
  /** SignedData's eContentType is not what the caller needs (SPC_INDIRECT_DATA / TSTInfo). */
  | "unexpected-content-type"
  /** A digest or signature algorithm this verifier does not implement. */
  | "unsupported-algorithm"
  /** A certificate that node:crypto cannot parse. */
  | "bad-certificate"
  /** A trust-anchor file that holds no certificate. */
  | "bad-trust-file"
  /** A count read from the input exceeded a safety cap. */
  | "limit-exceeded";

/** Typed error of `src/authenticode/`. */
export class AuthenticodeError extends CodedError<AuthenticodeErrorCode> {
  /** File offset (or offset within the blob, see `structure`) where the problem was seen. */
  readonly offset: number | undefined;
  /** The spec structure concerned, e.g. `"SignerInfo"`, `"WIN_CERTIFICATE"`. */
  readonly structure: string | undefined;
  /** File path, when the error concerns a file (trust-anchor files). */
  readonly path: string | undefined;

  constructor(
    code: AuthenticodeErrorCode,
    message: string,
    fields: { offset?: number; structure?: string; path?: string; cause?: unknown } = {},
  ) {
    super(code, message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.offset = fields.offset;
    this.structure = fields.structure;
    this.path = fields.path;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), offset: this.offset, structure: this.structure, path: this.path };
  }
}
