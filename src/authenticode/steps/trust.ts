/**
 * Trust steps (evidence axis 3): the signer's chain to a hash-matched anchor, RFC 5280 issuer
 * rules, EKU and key usage, explicit EC parameters, and validity at the verification time. Every
 * step here is skipped when the signer certificate was not found (there is no chain to judge).
 *
 * Sources: RFC 5280 §6.1 (path validation), §4.2.1.3 (keyUsage), §4.2.1.12 (extKeyUsage);
 * CVE-2020-0601 (https://msrc.microsoft.com/update-guide/vulnerability/CVE-2020-0601);
 * WinVerifyTrust EKU nesting and timestamp behaviour as documented in docs/authenticode.md.
 */
import { buildChain, ekuAllows, type ChainResult } from "../chain.js";
import { EKU_CODE_SIGNING } from "../oids.js";
import { issuerProblem, validityProblem } from "../path-validation.js";
import { parsePool } from "../timestamp.js";
import { invalidate, record, signerVerification, type SignatureContext } from "../verification-context.js";

/**
 * `chain`: builds the path from the signer certificate through SignedData.certificates to an
 * anchor (`ctx.chain`); records pass when anchored, a warning otherwise (the state rule decides
 * what an unanchored chain means).
 */
export function chainStep(ctx: SignatureContext): void {
  const signer = signerVerification(ctx).signer;
  if (!signer) return;
  const { policy } = ctx.file;
  const cache = policy.trust.cache;
  const chain = buildChain(signer.info, parsePool(ctx.sd.certificates, cache), policy.trust, cache);
  ctx.chain = chain;
  const last = chain.certificates[chain.certificates.length - 1]!;
  record(
    ctx,
    "chain",
    chain.anchor ? "pass" : "warn",
    chain.anchor
      ? `${chain.certificates.length} certificate(s) to anchor "${chain.anchor.certificate.subject}" (${chain.anchor.source})`
      : chain.complete
        ? `ends at root "${last.subject}" that is not a trust anchor${chain.selfSigned ? " (the signer is self-signed)" : ""}`
        : `incomplete: no certificate issued "${last.subject}" (issuer "${last.issuer}")`,
  );
}

/** `path-validation`: RFC 5280 §6.1.4 issuer rules (basicConstraints, pathLenConstraint, keyCertSign); a break is invalid. */
export function pathValidationStep(ctx: SignatureContext): void {
  const { chain } = ctx;
  if (!chain) return;
  const broken = issuerProblem(chain);
  if (broken) {
    ctx.invalid.push(`RFC 5280 path validation fails (${broken.detail})`);
    record(ctx, "path-validation", "fail", broken.detail);
    return;
  }
  record(
    ctx,
    "path-validation",
    "pass",
    chain.certificates.length === 1
      ? "no issuer in the path (single certificate)"
      : `every issuer below the ${chain.anchor ? "trust anchor" : "top of the chain"} is a CA (basicConstraints cA=TRUE) within its pathLenConstraint, with keyCertSign wherever keyUsage is present (RFC 5280 §6.1.4(k)–(n))`,
  );
}

/**
 * `eku`: the signer's EKU allows codeSigning (absent: a warning, invalid in strict mode; denied:
 * invalid), and, as Windows nests EKUs, so does every CA below the anchor that restricts EKUs.
 * Sets `ctx.ekuCodeSigning`.
 */
export function ekuStep(ctx: SignatureContext): void {
  const { chain } = ctx;
  const leaf = signerVerification(ctx).signer?.info;
  if (!chain || !leaf) return;
  const eku = ekuAllows(leaf, EKU_CODE_SIGNING);
  ctx.ekuCodeSigning = eku;
  if (eku === "denied" || (eku === "absent" && ctx.file.policy.strict)) {
    invalidate(
      ctx,
      "eku",
      `signer certificate EKU ${eku === "denied" ? `[${leaf.extendedKeyUsage?.join(", ")}] lacks` : "is absent, strict mode requires"} codeSigning (${EKU_CODE_SIGNING})`,
    );
  } else {
    record(
      ctx,
      "eku",
      eku === "allowed" ? "pass" : "warn",
      eku === "allowed"
        ? "signer EKU allows codeSigning"
        : "signer has no EKU extension (accepted by WinVerifyTrust; strict mode refuses)",
    );
  }
  // Windows EKU nesting: a CA that restricts EKUs must allow codeSigning too. The anchor is exempt.
  for (const ca of chain.certificates.slice(1)) {
    if (chain.anchor && ca.sha256 === chain.anchor.certificate.sha256) continue;
    if (ekuAllows(ca, EKU_CODE_SIGNING) === "denied")
      invalidate(
        ctx,
        "eku",
        `issuing CA "${ca.subject}" restricts EKUs to [${ca.extendedKeyUsage?.join(", ")}] without codeSigning`,
      );
  }
}

/** `key-usage`: in strict mode, a signer keyUsage without digitalSignature is invalid (recorded only then). */
export function keyUsageStep(ctx: SignatureContext): void {
  const keyUsage = signerVerification(ctx).signer?.embedded.keyUsage;
  if (ctx.chain && ctx.file.policy.strict && keyUsage && !keyUsage.digitalSignature)
    invalidate(ctx, "key-usage", "strict: signer keyUsage does not allow digitalSignature");
}

/**
 * `explicit-curve`: a chain certificate with explicit EC parameters (the CVE-2020-0601 pattern)
 * is invalid. OpenSSL refuses such links, so an incomplete chain's would-be issuers in
 * SignedData.certificates are looked at too. Recorded only when found.
 */
export function explicitCurveStep(ctx: SignatureContext): void {
  const { chain } = ctx;
  if (!chain) return;
  const lastIssuer = chain.certificates[chain.certificates.length - 1]!.issuer;
  const explicit =
    chain.certificates.find((c) => c.explicitCurve) ??
    (chain.complete
      ? undefined
      : parsePool(ctx.sd.certificates, ctx.file.policy.trust.cache).find(
          (c) => c.explicitCurve && c.subject === lastIssuer,
        ));
  if (explicit)
    invalidate(
      ctx,
      "explicit-curve",
      `certificate "${explicit.subject}" uses explicit EC parameters (CVE-2020-0601 pattern)`,
    );
}

/**
 * `validity`: every chain certificate is within its validity window at the verification time
 * (`ctx.timeProblem` names the first that is not). A timestamp from a TSA that reaches no anchor is
 * only needed when the chain is not valid at the policy time anyway: when the anchored chain is
 * valid then, the timestamp is set aside (a `timestamp` warning) and the policy time is used.
 */
export function validityStep(ctx: SignatureContext): void {
  const { chain } = ctx;
  if (!chain) return;
  const { at } = ctx.file;
  const usable = ctx.usableTimestamp;
  if (
    ctx.verifiedAtSource === "timestamp" &&
    usable &&
    !usable.trusted &&
    chain.anchor &&
    !validityProblem(chain.certificates, at)
  ) {
    ctx.verifiedAt = at;
    ctx.verifiedAtSource = "policy";
    record(
      ctx,
      "timestamp",
      "warn",
      `the TSA chain reaches no anchor, but the signer chain is valid at ${at.toISOString()} without it`,
    );
  }
  const problem = validityProblem(chain.certificates, ctx.verifiedAt);
  if (problem) ctx.timeProblem = problem;
  record(
    ctx,
    "validity",
    problem ? "fail" : "pass",
    problem
      ? `${problem.detail}; time from ${ctx.verifiedAtSource}`
      : `all ${chain.certificates.length} certificate(s) valid at ${ctx.verifiedAt.toISOString()} (time from ${ctx.verifiedAtSource})`,
  );
}

/** The chain's last certificate is a self-issued root (its self-signature's hash proves nothing). */
export function isSelfIssuedRoot(chain: ChainResult, index: number): boolean {
  return index === chain.certificates.length - 1 && chain.certificates[index]!.selfIssued;
}
