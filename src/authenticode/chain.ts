/**
 * Certificate path building from a signer certificate to a trust anchor, using node:crypto for
 * every cryptographic step (`checkIssued` + `verify(issuer.publicKey)`). Candidate issuers are
 * looked up by name for speed only; a link exists only when the signature verifies, and a chain
 * is trusted only when it reaches a certificate the {@link TrustStore} holds by hash.
 *
 * Sources: RFC 5280 §6.1 (path validation: signatures, validity at the verification time),
 * WinVerifyTrust behaviour as summarised in authenticode-brief.md §1.4, §1.8–1.9.
 */
import { isSelfSigned, type CertificateCache, type CertificateInfo } from "./certificate-cache.js";
import type { TrustAnchor, TrustStore } from "./trust-store.js";

/** Longest chain followed (real Authenticode chains have 2–4 certificates). */
export const MAX_CHAIN_LENGTH = 12;

/** Result of {@link buildChain}. */
export interface ChainResult {
  /** Leaf first, then issuers; the anchor's certificate last when one was reached. */
  certificates: CertificateInfo[];
  /** The anchor the chain reached, if any. */
  anchor?: TrustAnchor;
  /** The chain ends at an anchor or at a self-issued certificate whose signature verifies with its own key. */
  complete: boolean;
  /** The leaf is self-issued and self-verifying (and not an anchor). */
  selfSigned: boolean;
}

/**
 * Builds the path leaf → … → root. Terminates: every step adds a certificate not seen before
 * (`visited` by SHA-256) and the length is capped at {@link MAX_CHAIN_LENGTH}.
 *
 * @param leaf - the signer certificate.
 * @param pool - untrusted intermediates (SignedData.certificates).
 * @param trust - anchors, matched by certificate/SPKI SHA-256.
 * @param cache - issuer-check cache; the result is memoised per (anchors revision, leaf, pool).
 */
export function buildChain(
  leaf: CertificateInfo,
  pool: readonly CertificateInfo[],
  trust: TrustStore,
  cache: CertificateCache,
): ChainResult {
  const key = `chain:${trust.id}.${trust.revision}:${leaf.sha256}:${pool
    .map((c) => c.sha256)
    .sort()
    .join(",")}`;
  return cache.memo(key, () => walk(leaf, pool, trust, cache));
}

function walk(
  leaf: CertificateInfo,
  pool: readonly CertificateInfo[],
  trust: TrustStore,
  cache: CertificateCache,
): ChainResult {
  const certificates = [leaf];
  const visited = new Set([leaf.sha256]);
  const selfSigned = isSelfSigned(leaf) && trust.match(leaf) === undefined;
  const anchors = trust.anchors();
  for (;;) {
    const current = certificates[certificates.length - 1]!;
    const direct = trust.match(current);
    if (direct) return { certificates, anchor: direct, complete: true, selfSigned };
    if (certificates.length >= MAX_CHAIN_LENGTH) break;
    const byAnchor = anchors.find(
      (a) =>
        a.certificate.subject === current.issuer &&
        !visited.has(a.certificate.sha256) &&
        cache.issued(a.certificate, current),
    );
    if (byAnchor) {
      certificates.push(byAnchor.certificate);
      return { certificates, anchor: byAnchor, complete: true, selfSigned };
    }
    if (isSelfSigned(current)) return { certificates, complete: true, selfSigned };
    const next =
      pool.find((c) => c.subject === current.issuer && !visited.has(c.sha256) && cache.issued(c, current)) ??
      pool.find((c) => !visited.has(c.sha256) && c.subject !== current.issuer && cache.issued(c, current));
    if (!next) break;
    visited.add(next.sha256);
    certificates.push(next);
  }
  return { certificates, complete: false, selfSigned };
}

/**
 * Whether a certificate's EKU allows `purpose`: "absent" when it has no EKU extension (allowed by
 * WinVerifyTrust, refused in strict mode), "allowed" when it lists `purpose` or anyExtendedKeyUsage.
 */
export function ekuAllows(certificate: CertificateInfo, purpose: string): "allowed" | "absent" | "denied" {
  const eku = certificate.extendedKeyUsage;
  if (!eku) return "absent";
  return eku.includes(purpose) || eku.includes("2.5.29.37.0") ? "allowed" : "denied";
}
