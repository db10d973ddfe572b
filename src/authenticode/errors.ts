/**
 * The one typed error of the Authenticode area. Parsers and verifiers in `src/authenticode/`
 * throw only this class (never a bare Error, RangeError or an asn1js/pkijs object).
 *
 * Source: `src/util/coded-error.ts` (the base class).
 */
import { LocatedError, type ErrorLocation } from "../util/coded-error.js";

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
export class AuthenticodeError extends LocatedError<AuthenticodeErrorCode> {
  constructor(
    code: AuthenticodeErrorCode,
    message: string,
    fields: ErrorLocation & { cause?: unknown } = {},
  ) {
    super(code, message, fields);
  }
}
