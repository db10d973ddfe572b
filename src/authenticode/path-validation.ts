/**
 * RFC 5280 §6.1 path validation rules beyond signatures, applied to a chain built by
 * {@link buildChain} (leaf first): every issuer must be a CA (basicConstraints cA=TRUE), its
 * pathLenConstraint must allow the CA certificates below it, its keyUsage (when present) must
 * allow keyCertSign, and every certificate must be inside its validity window at the chosen
 * time. The trust anchor (and an untrusted self-signed root ending the chain) is the path's
 * input, not one of its certificates (§6.1.1(d)), so its own extensions are not checked: old
 * Microsoft roots are v1 or carry no keyUsage and must keep working.
 *
 * Sources: RFC 5280 §6.1.3(a)(2) (validity), §6.1.4(k) (basicConstraints; v1/v2 issuers need
 * out-of-band proof, which only an anchor gives), §6.1.4(l)–(m) (pathLenConstraint), §6.1.4(n)
 * (keyUsage keyCertSign), §4.2.1.9, §4.2.1.3; Microsoft CERT_TRUST_STATUS
 * (CERT_TRUST_INVALID_BASIC_CONSTRAINTS); docs/authenticode.md § "Path validation".
 */
import { isSelfSigned, type CertificateInfo } from "./certificate-cache.js";
import type { TrustAnchor } from "./trust-store.js";

/** A certification path as `buildChain` (src/authenticode/chain.ts) found it. */
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

/** The rule a chain broke. */
export type PathRule = "basic-constraints" | "path-length" | "key-usage" | "critical-extension" | "validity";

/** The first broken rule: which certificate (its index, 0 = leaf), and a sentence for `--explain`. */
export interface PathProblem {
  rule: PathRule;
  index: number;
  certificate: CertificateInfo;
  /** e.g. `basic-constraints: chain[1] "CN=…" issued chain[0] but its basicConstraints has cA=FALSE (RFC 5280 §6.1.4(k))`. */
  detail: string;
}

/** Where a certificate sits, as `--explain` prints it: `chain[1] "C=CZ, CN=…"`. */
export function position(index: number, certificate: CertificateInfo): string {
  return `chain[${index}] "${certificate.subject}"`;
}

/**
 * The certificate at the top of the chain that is exempt from the issuer rules: the anchor, or
 * the self-signed root the chain ends at (untrusted either way, so its extensions decide nothing).
 */
function exemptIndex(chain: ChainResult): number {
  const lastIndex = chain.certificates.length - 1;
  const last = chain.certificates[lastIndex]!;
  if (lastIndex === 0) return -1; // a lone (self-signed) leaf issues nothing
  // An anchored chain ends at the certificate the store matched (by certificate or SPKI hash).
  if (chain.anchor) return lastIndex;
  return isSelfSigned(last) ? lastIndex : -1;
}

/**
 * The structural rules for every certificate of `chain` below the anchor: no unrecognised
 * critical extension (leaf included), then basicConstraints, pathLenConstraint and keyUsage for
 * every issuer, from the leaf's issuer upwards; the first break wins.
 * @returns undefined when every issuer may issue what it issued.
 */
export function issuerProblem(chain: ChainResult): PathProblem | undefined {
  const certificates = chain.certificates;
  const exempt = exemptIndex(chain);
  // §6.1.4(o), §6.1.5(e): a critical extension nobody here knows fails the path (the anchor aside).
  for (const [index, certificate] of certificates.entries()) {
    if (index === exempt) break;
    const unknown = certificate.profile?.unknownCritical;
    if (unknown)
      return {
        rule: "critical-extension",
        index,
        certificate,
        detail: `critical-extension: ${position(index, certificate)} carries the unrecognised critical extension(s) ${unknown.join(", ")} (RFC 5280 §4.2, §6.1.4(o), §6.1.5(e); Windows CERT_E_CRITICAL)`,
      };
  }
  /** Non-self-issued CA certificates seen so far below the current issuer (§6.1.4(l)). */
  let intermediatesBelow = 0;
  for (let index = 1; index < certificates.length; index++) {
    if (index === exempt) break;
    const certificate = certificates[index]!;
    const where = position(index, certificate);
    const profile = certificate.profile;
    const issued = `issued chain[${index - 1}]`;
    const fail = (rule: PathRule, what: string): PathProblem => ({
      rule,
      index,
      certificate,
      detail: `${rule}: ${where} ${what}`,
    });
    if (!profile) return fail("basic-constraints", `${issued} but its extensions cannot be read`);
    const bc = profile.basicConstraints;
    if (!bc) {
      return fail(
        "basic-constraints",
        profile.version < 3
          ? `${issued} but is a v${profile.version} certificate (no basicConstraints) and not a trust anchor (RFC 5280 §6.1.4(k))`
          : `${issued} but has no basicConstraints extension, so it is not a CA (RFC 5280 §4.2.1.9, §6.1.4(k))`,
      );
    }
    if (!bc.ca)
      return fail(
        "basic-constraints",
        `${issued} but its basicConstraints has cA=FALSE (an end-entity certificate used as an issuer; RFC 5280 §4.2.1.9, §6.1.4(k))`,
      );
    if (bc.pathLength !== undefined && intermediatesBelow > bc.pathLength)
      return fail(
        "path-length",
        `has pathLenConstraint ${bc.pathLength} but ${intermediatesBelow} CA certificate(s) follow it in the path (RFC 5280 §4.2.1.9, §6.1.4(l)–(m))`,
      );
    if (profile.keyUsage && !profile.keyUsage.keyCertSign)
      return fail("key-usage", `${issued} but its keyUsage lacks keyCertSign (RFC 5280 §4.2.1.3, §6.1.4(n))`);
    if (!certificate.selfIssued) intermediatesBelow++;
  }
  return undefined;
}

/** The first certificate of `chain` outside its validity window at `time` (RFC 5280 §6.1.3(a)(2)). */
export function validityProblem(
  chain: readonly CertificateInfo[],
  time: Date,
): (PathProblem & { rule: "validity"; reason: "expired" | "not-yet-valid" }) | undefined {
  for (const [index, certificate] of chain.entries()) {
    const reason =
      time.getTime() < certificate.notBefore.getTime()
        ? "not-yet-valid"
        : time.getTime() > certificate.notAfter.getTime()
          ? "expired"
          : undefined;
    if (reason)
      return {
        rule: "validity",
        reason,
        index,
        certificate,
        detail: `validity: ${position(index, certificate)} is ${reason} at ${time.toISOString()} (valid ${certificate.notBefore.toISOString()} – ${certificate.notAfter.toISOString()})`,
      };
  }
  return undefined;
}
