/**
 * The part of an Authenticode result that triage judges: the file's signature state, who signed,
 * and certificate-table anomalies. Kept separate from the full verifier result so indicators
 * stay small and the JSON `signature` object has a stable core.
 */
import type { AuthenticodeState } from "../authenticode/index.js";

/** File-level signature state: the verifier's (docs/authenticode.md gives the rule). */
export type SignatureState = AuthenticodeState;

export interface SignatureSummary {
  state: SignatureState;
  /** Why the state was reached, in one line (e.g. "computed digest differs from the signed digest"). */
  reason?: string;
  /** Subject of the primary signer's certificate, RFC 2253-like. */
  signer?: string;
  /** Issuer of the primary signer's certificate. */
  issuer?: string;
  /** Authenticode digest algorithm of the primary signature, e.g. `"sha256"`. */
  digestAlgorithm?: string;
  /** Verified timestamp of the primary signature. */
  timestamp?: { kind: string; time: string };
  /** Number of signatures found (entries plus nested). */
  signatureCount: number;
  /** Certificate-table anomalies (CVE-2013-3900 padding, bad revision, …). */
  anomalies: Array<{ code: string; message: string; offset?: number }>;
}
