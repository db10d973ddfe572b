/**
 * Certificate path building from a signer certificate to a trust anchor, using node:crypto for
 * every cryptographic step (`checkIssued` + `verify(issuer.publicKey)`). Candidate issuers are
 * looked up by name for speed only; a link exists only when the signature verifies, and a chain
 * is trusted only when it reaches a certificate the {@link TrustStore} holds by hash.
 *
 * Sources: RFC 5280 §6.1 (path validation: signatures, validity at the verification time),
 * docs/authenticode.md ("Path validation (RFC 5280 §6.1)", "Where we differ, and why").
 */
import { isSelfSigned, type CertificateCache, type CertificateInfo } from "./certificate-cache.js";
import { issuerProblem, type ChainResult } from "./path-validation.js";
import type { AnchorScope, TrustStore } from "./trust-store.js";

/** Longest chain followed (real Authenticode chains have 2–4 certificates). */
export const MAX_CHAIN_LENGTH = 12;

/** Result of {@link buildChain} (defined beside the rules that judge it). */
export type { ChainResult };

/**
 * Builds the path leaf → … → root, the best of the candidate paths (see `walk`). While Node's
 * TLS roots are still unparsed (parsing them is most of a run's start-up, and most code-signing
 * chains do not reach them), the path is first sought without them; they are parsed and the
 * search redone only when that finds no anchored path that breaks no issuer rule. A search that
 * Node's roots could change (one has a key or the issuer name of the signer or a bag certificate:
 * {@link TrustStore.nodeRootsMayMatter}) is made with them from the start, so the path found
 * never depends on whether an earlier file made them parsed. Terminates:
 * every step adds a certificate not on the path (`visited` by SHA-256), the length is capped at
 * {@link MAX_CHAIN_LENGTH} and the search at {@link MAX_CHAIN_SEARCH_STEPS} partial paths.
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
  return cache.memo(key, () => {
    if (trust.nodeRootsPending && !trust.nodeRootsMayMatter([leaf, ...pool])) {
      const withoutNodeRoots = walk(leaf, pool, trust, cache, "parsed");
      if (rank(withoutNodeRoots) === 3) return withoutNodeRoots;
    }
    return walk(leaf, pool, trust, cache, "all");
  });
}

/** Partial paths a search extends at most (bounds the work when the bag holds many look-alikes). */
export const MAX_CHAIN_SEARCH_STEPS = 64;

/**
 * How good a path is, as WinVerifyTrust ranks candidate chains: anchored and breaking no
 * RFC 5280 issuer rule, anchored, ending at a root, incomplete.
 */
function rank(chain: ChainResult): number {
  if (chain.anchor) return issuerProblem(chain) ? 2 : 3;
  return chain.complete ? 1 : 0;
}

/**
 * Depth-first search over the candidate issuers, in the order a greedy walk would take them
 * (the bag's order, same-subject issuers first). SignedData.certificates is not signed, so
 * anyone can add a look-alike issuer (the real CA's name and public key, another signature or
 * cA=FALSE) ahead of the real one: the first path that is anchored and breaks no issuer rule
 * wins; otherwise the best-ranked path, the greedy one among equals. `scope` says whether
 * Node's pending roots are anchors here (see {@link TrustStore.anchors}).
 */
function walk(
  leaf: CertificateInfo,
  pool: readonly CertificateInfo[],
  trust: TrustStore,
  cache: CertificateCache,
  scope: AnchorScope,
): ChainResult {
  const selfSigned = isSelfSigned(leaf) && trust.match(leaf, scope) === undefined;
  const anchors = trust.anchors(scope);
  let best: ChainResult | undefined;
  let bestRank = -1;
  let steps = 0;
  /** Records a finished path; true when it cannot be beaten. */
  const finish = (chain: ChainResult): boolean => {
    const r = rank(chain);
    if (r > bestRank) {
      best = chain;
      bestRank = r;
    }
    return r === 3;
  };
  const extend = (certificates: CertificateInfo[], visited: Set<string>): boolean => {
    steps++;
    const current = certificates[certificates.length - 1]!;
    const direct = trust.match(current, scope);
    if (direct) return finish({ certificates, anchor: direct, complete: true, selfSigned });
    if (certificates.length >= MAX_CHAIN_LENGTH) return finish({ certificates, complete: false, selfSigned });
    const byAnchor = anchors.find(
      (a) =>
        a.certificate.subject === current.issuer &&
        !visited.has(a.certificate.sha256) &&
        cache.issued(a.certificate, current),
    );
    if (
      byAnchor &&
      finish({
        certificates: [...certificates, byAnchor.certificate],
        anchor: byAnchor,
        complete: true,
        selfSigned,
      })
    )
      return true;
    if (isSelfSigned(current)) return finish({ certificates, complete: true, selfSigned });
    const candidates = [
      ...pool.filter((c) => c.subject === current.issuer && !visited.has(c.sha256)),
      ...pool.filter((c) => c.subject !== current.issuer && !visited.has(c.sha256)),
    ];
    let extended = false;
    for (const next of candidates) {
      if (steps >= MAX_CHAIN_SEARCH_STEPS) break;
      if (!cache.issued(next, current)) continue;
      extended = true;
      if (extend([...certificates, next], new Set([...visited, next.sha256]))) return true;
    }
    return extended || byAnchor ? false : finish({ certificates, complete: false, selfSigned });
  };
  extend([leaf], new Set([leaf.sha256]));
  return best!;
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
