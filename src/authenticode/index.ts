/**
 * Authenticode verification for PE files: flat authentihash, certificate-table anomalies,
 * CMS/SignerInfo checks, RFC 3161 and PKCS#9 timestamps, nested signatures, page hashes, chain
 * building against hash-matched trust anchors, and a documented state rule
 * (docs/authenticode.md).
 *
 * Sources: "Windows Authenticode Portable Executable Signature Format" v1.0
 * (https://download.microsoft.com/download/9/c/5/9c5b2167-8017-4bae-9fde-d599bac8184a/Authenticode_PE.docx);
 * RFC 5652 (CMS), RFC 3161 (timestamps), RFC 5280 (paths); docs/authenticode.md.
 */
export { AuthenticodeError, type AuthenticodeErrorCode } from "./errors.js";
export { DIGEST_ALGORITHMS, type DigestAlgorithm } from "./algorithms.js";
export { authentihash, excludedRanges, type Authentihash, type ExcludedRange } from "./authentihash.js";
export {
  scanCertificateTable,
  type CertificateTableAnomaly,
  type CertificateTableAnomalyCode,
  type CertificateTableScan,
  type WinCertificateEntry,
} from "./certificate-table.js";
export { CertificateCache, type CertificateInfo } from "./certificate-cache.js";
export {
  TrustStore,
  createTrustStore,
  pemCertificates,
  type TrustAnchor,
  type TrustFile,
  type TrustStoreOptions,
} from "./trust-store.js";
export { defaultPolicy, type SignatureSelection, type VerificationPolicy } from "./policy.js";
export { computePageHashes, pageSize } from "./page-hashes.js";
export type { PeLayout } from "./pe-layout.js";
export {
  STATES_BY_SEVERITY,
  type AuthenticodeResult,
  type AuthenticodeState,
  type CertificateSummary,
  type IntegrityEvidence,
  type SignatureResult,
  type StepOutcome,
  type TimeEvidence,
  type TimestampEvidence,
  type TrustEvidence,
  type VerificationStep,
} from "./result.js";
export { verifyAuthenticode, MAX_NESTING_DEPTH, MAX_SIGNATURES } from "./verify.js";
export { decideFileState, decideSignatureState, type SignatureFindings } from "./state-rule.js";
