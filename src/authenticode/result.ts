/**
 * The shape of an Authenticode verdict: a file state, one result per signature with three
 * evidence axes (integrity, time, trust), the certificate-table anomalies, and the ordered steps
 * for `--explain`. Documented in docs/authenticode.md.
 *
 * Sources: signify `AuthenticodeVerificationResult` (https://github.com/ralphje/signify), LIEF
 * `VERIFICATION_FLAGS` (https://github.com/lief-project/LIEF).
 */
import type { DigestAlgorithm } from "./algorithms.js";
import type { ExcludedRange } from "./authentihash.js";
import type { CertificateTableAnomaly } from "./certificate-table.js";
import type { StepName } from "./verification-steps.js";

/** State of a file or of one signature. */
export type AuthenticodeState =
  | "unsigned"
  | "valid"
  | "untrusted-root"
  | "self-signed"
  | "expired"
  | "not-yet-valid"
  /** Intact and otherwise acceptable, but MD5 carries the evidence (file digest, signer digest or a certificate signature). */
  | "weak-digest"
  | "invalid"
  | "malformed";

/** Every state, most severe first (the order "all" uses to pick the worst). */
export const STATES_BY_SEVERITY: readonly AuthenticodeState[] = [
  "malformed",
  "invalid",
  "expired",
  "not-yet-valid",
  "weak-digest",
  "self-signed",
  "untrusted-root",
  "valid",
  "unsigned",
];

/** Outcome of one verification step. */
export type StepOutcome = "pass" | "fail" | "skip" | "warn";

/** One step of the pipeline, for a human `--explain`. */
export interface VerificationStep {
  /** Stable kebab-case id, e.g. `"image-digest"`, `"cms-signature"`, `"chain"` (every id: `VERIFICATION_STEPS`). */
  step: StepName;
  outcome: StepOutcome;
  detail: string;
  /** Signature path (`"0"`, `"0.nested[0]"`) when the step concerns one signature. */
  path?: string;
}

/** A certificate as shown in evidence. Times are ISO 8601 UTC. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** SHA-256 of the DER, hex. */
  sha256: string;
  notBefore: string;
  notAfter: string;
}

/** Axis 1: is the file what was signed, and is the CMS intact. */
export interface IntegrityEvidence {
  algorithm?: DigestAlgorithm;
  /** Authentihash recomputed from the file, hex. */
  computedDigest?: string;
  /** Digest in SpcIndirectDataContent, hex. */
  signedDigest?: string;
  excludedRanges: ExcludedRange[];
  /** computedDigest == signedDigest. */
  imageDigest: "pass" | "fail" | "skip";
  /** SignedData.digestAlgorithms, SpcIndirectDataContent and SignerInfo agree. */
  algorithmsConsistent: boolean;
  /** messageDigest attribute == H(SpcIndirectDataContent contents). */
  messageDigest: "pass" | "fail" | "skip";
  /** Signature over the signed attributes. */
  cmsSignature: "pass" | "fail" | "skip";
  pageHashes: "pass" | "fail" | "absent" | "skip";
}

/** A timestamp as shown in evidence. */
export interface TimestampEvidence {
  kind: "rfc3161" | "pkcs9";
  /** ISO 8601 UTC, when readable. */
  time?: string;
  /** Cryptographically valid (imprint, TSA signature, chain signatures, EKU, validity at `time`). */
  valid: boolean;
  /** Valid and the TSA chain reaches a trust anchor. */
  trusted: boolean;
  /** TSA certificate first. */
  tsaChain: CertificateSummary[];
  problems: string[];
}

/** Axis 2: at what time the chain was judged, and why. */
export interface TimeEvidence {
  /** signingTime signed attribute (a claim of the signer, not evidence), ISO. */
  signingTime?: string;
  timestamp?: TimestampEvidence;
  /** The time the chain was validated at, ISO. */
  verifiedAt: string;
  /** Where `verifiedAt` came from. */
  verifiedAtSource: "timestamp" | "policy" | "policy-lifetime-signing";
  /** Validity window of the signer certificate. */
  leafValidity?: { notBefore: string; notAfter: string };
}

/** Axis 3: who signed and whether we trust them. */
export interface TrustEvidence {
  /** Signer first. */
  chain: CertificateSummary[];
  anchor?: { subject: string; sha256: string; source: string };
  /** The chain ends at an anchor or a self-verifying root. */
  chainComplete: boolean;
  selfSigned: boolean;
  /** Signer certificate's EKU vs codeSigning (1.3.6.1.5.5.7.3.3). */
  ekuCodeSigning: "allowed" | "absent" | "denied" | "unknown";
  /** Signer certificate carries lifetime signing (1.3.6.1.4.1.311.10.3.13): timestamps are ignored. */
  lifetimeSigning: boolean;
  /** Revocation is never checked (no network). */
  revocation: "not-checked";
}

/** One signature (a WIN_CERTIFICATE's SignedData, or a nested one). */
export interface SignatureResult {
  /** `"0"` for the first WIN_CERTIFICATE, `"0.nested[0]"` for its first nested signature. */
  path: string;
  /** Index of the WIN_CERTIFICATE entry it lives in. */
  entryIndex: number;
  /** File offset of the SignedData (or the entry when it could not be decoded). */
  offset: number;
  state: AuthenticodeState;
  /** One line: the rule that decided `state`. */
  reason: string;
  /** The signer certificate (serial: lower-case hex). */
  signer?: { subject: string; issuer: string; serial: string };
  integrity: IntegrityEvidence;
  time: TimeEvidence;
  trust: TrustEvidence;
  steps: VerificationStep[];
}

/** The verdict for one file. */
export interface AuthenticodeResult {
  state: AuthenticodeState;
  /** Which rule decided: the primary signature alone, or the worst of all. */
  rule: "primary" | "all";
  /** Path of the signature that decided `state` (absent for unsigned files). */
  decidedBy?: string;
  signatures: SignatureResult[];
  anomalies: CertificateTableAnomaly[];
  /** File-level steps followed by every signature's steps, in order. */
  steps: VerificationStep[];
  /** Verification time used as the default ("now" or the policy's `at`), ISO. */
  verifiedAt: string;
}

/** Builds a step record (the `path` names the signature, absent for file-level steps). */
export function stepRecord(
  step: StepName,
  outcome: VerificationStep["outcome"],
  detail: string,
  path?: string,
): VerificationStep {
  return path === undefined ? { step, outcome, detail } : { step, outcome, detail, path };
}
