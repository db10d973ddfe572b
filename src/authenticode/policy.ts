/**
 * Verification policy: everything that changes a verdict is a parameter here, never ambient
 * state (as in signify's `VerificationContext`,
 * https://github.com/ralphje/signify).
 */
import type { TrustStore } from "./trust-store.js";

/** Which signatures decide the file's state. */
export type SignatureSelection =
  /** The first PKCS#7 WIN_CERTIFICATE's signature alone (WinVerifyTrust, sigcheck; signify "first"). */
  | "primary"
  /** Every signature, nested ones included; the worst state wins (signify "all"). */
  | "all";

/** One verification policy. */
export interface VerificationPolicy {
  /** Verification time; default: now. */
  at?: Date;
  /** Trust anchors (also holds the per-run certificate cache). */
  trust: TrustStore;
  /** Default "primary". */
  signatures: SignatureSelection;
  /**
   * Strict mode: the signer certificate must carry the codeSigning EKU (absent EKU fails), its
   * keyUsage (if present) must allow digitalSignature, and the TSA certificate must carry
   * timeStamping. Off = WinVerifyTrust behaviour (absent EKU accepted with a warning).
   */
  strict: boolean;
  /** Network access (CRL/OCSP/AIA fetching). Always off: revocation is reported as not checked. */
  network: false;
}

/** A policy with the defaults: now, primary signature, not strict, no network. */
export function defaultPolicy(
  trust: TrustStore,
  overrides: Partial<Omit<VerificationPolicy, "trust" | "network">> = {},
): VerificationPolicy {
  return { signatures: "primary", strict: false, ...overrides, trust, network: false };
}
