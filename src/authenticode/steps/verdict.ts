/**
 * Verdict steps: MD5 as evidence, then the signature's state by the state rule
 * (src/authenticode/state-rule.ts, docs/authenticode.md § "How a state is reached") and the
 * signature's result with its three evidence axes.
 *
 * Sources: Microsoft Security Advisory 2862973 (MD5 deprecation,
 * https://learn.microsoft.com/en-us/security-updates/securityadvisories/2013/2862973);
 * RFC 2985 §5.3.3 (signingTime).
 */
import { Asn1Reader } from "../asn1.js";
import type { CertificateInfo } from "../certificate-cache.js";
import { OID_SIGNING_TIME } from "../oids.js";
import { position } from "../path-validation.js";
import type { CertificateSummary, SignatureResult, TimeEvidence, TrustEvidence } from "../result.js";
import { decideSignatureState, type SignatureFindings } from "../state-rule.js";
import type { TimestampCheck } from "../timestamp.js";
import { parsedCms, record, signerVerification, type SignatureContext } from "../verification-context.js";
import { isSelfIssuedRoot } from "./trust.js";

/**
 * `weak-digest`: adds MD5 certificate signatures below the anchor (a self-issued root's own
 * signature proves nothing and is exempt) to the MD5 uses `digest-algorithms` noted, and records a
 * failure when there is any: MD5 is not accepted as evidence.
 */
export function weakDigestStep(ctx: SignatureContext): void {
  const { chain, weak } = ctx;
  if (chain) {
    for (const [index, certificate] of chain.certificates.entries()) {
      if (chain.anchor && index === chain.certificates.length - 1) continue; // the anchor itself
      if (certificate.profile?.signatureHash === "md5" && !isSelfIssuedRoot(chain, index))
        weak.push(`MD5 certificate signature on ${position(index, certificate)}`);
    }
  }
  if (weak.length > 0)
    record(
      ctx,
      "weak-digest",
      "fail",
      `${weak.join("; ")}: MD5 is not accepted as evidence (Microsoft Security Advisory 2862973)`,
    );
}

/**
 * `state`: decides the signature's state from everything recorded so far (state-rule.ts), records
 * it, and appends the signature's result (evidence on the three axes, every step record) to the
 * file's signatures, before any nested signature's.
 */
export function stateStep(ctx: SignatureContext): void {
  const { state, reason } = decideSignatureState(findings(ctx));
  record(ctx, "state", state === "valid" ? "pass" : "fail", `${state}: ${reason}`);
  const signer = signerVerification(ctx).signer;
  const result: SignatureResult = {
    path: ctx.path,
    entryIndex: ctx.entryIndex,
    offset: ctx.sd.offset,
    state,
    reason,
    ...(signer
      ? {
          signer: {
            subject: signer.info.subject,
            issuer: signer.info.issuer,
            serial: signer.embedded.serial,
          },
        }
      : {}),
    integrity: ctx.integrity,
    time: timeEvidence(ctx),
    trust: trustEvidence(ctx),
    steps: ctx.steps,
  };
  ctx.file.signatures.push(result);
}

/** The state rule's input. */
function findings(ctx: SignatureContext): SignatureFindings {
  const { chain, timeProblem, weak } = ctx;
  const leaf = signerVerification(ctx).signer?.info;
  const last = chain?.certificates[chain.certificates.length - 1];
  const future = ctx.futureTimestamp?.time;
  return {
    invalid: ctx.invalid,
    ...(timeProblem
      ? {
          timeProblem: {
            subject: timeProblem.certificate.subject,
            index: timeProblem.index,
            reason: timeProblem.reason,
          },
        }
      : {}),
    ...(weak.length > 0 ? { weakDigest: weak } : {}),
    ...(future ? { futureTimestamp: future } : {}),
    verifiedAt: ctx.verifiedAt,
    verifiedAtSource: ctx.verifiedAtSource,
    validTimestamp: ctx.usableTimestamp !== undefined,
    timestampTrusted: ctx.usableTimestamp?.trusted ?? false,
    ...(chain && leaf && last
      ? {
          chain: {
            ...(chain.anchor ? { anchorSubject: chain.anchor.certificate.subject } : {}),
            complete: chain.complete,
            selfSigned: chain.selfSigned,
            leafSubject: leaf.subject,
            lastSubject: last.subject,
            lastIssuer: last.issuer,
          },
        }
      : {}),
  };
}

/** Axis 2: the signingTime claim, the timestamp shown (the usable one, else the first), the time used. */
function timeEvidence(ctx: SignatureContext): TimeEvidence {
  const leaf = signerVerification(ctx).signer?.info;
  const signingTime = signingTimeClaim(ctx);
  const shown = ctx.usableTimestamp ?? ctx.timestamps[0];
  return {
    ...(signingTime ? { signingTime } : {}),
    ...(shown ? { timestamp: timestampEvidence(shown) } : {}),
    verifiedAt: ctx.verifiedAt.toISOString(),
    verifiedAtSource: ctx.verifiedAtSource,
    ...(leaf
      ? { leafValidity: { notBefore: leaf.notBefore.toISOString(), notAfter: leaf.notAfter.toISOString() } }
      : {}),
  };
}

/** The signingTime signed attribute (a claim of the signer, not evidence), ISO, when readable. */
function signingTimeClaim(ctx: SignatureContext): string | undefined {
  const attribute = parsedCms(ctx).signer.signedAttrs?.attributes.find((a) => a.oid === OID_SIGNING_TIME);
  if (!attribute) return undefined;
  try {
    return new Asn1Reader(ctx.origin).time(attribute.values[0], "signingTime").toISOString();
  } catch {
    return undefined;
  }
}

/** Axis 3: the chain, its anchor, EKU, lifetime signing; revocation is never checked. */
function trustEvidence(ctx: SignatureContext): TrustEvidence {
  const { chain } = ctx;
  return {
    chain: (chain?.certificates ?? []).map(summary),
    ...(chain?.anchor
      ? {
          anchor: {
            subject: chain.anchor.certificate.subject,
            sha256: chain.anchor.certificate.sha256,
            source: chain.anchor.source,
          },
        }
      : {}),
    chainComplete: chain?.complete ?? false,
    selfSigned: chain?.selfSigned ?? false,
    ekuCodeSigning: ctx.ekuCodeSigning,
    lifetimeSigning: ctx.lifetimeSigning,
    revocation: "not-checked",
  };
}

function summary(c: CertificateInfo): CertificateSummary {
  return {
    subject: c.subject,
    issuer: c.issuer,
    sha256: c.sha256,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
  };
}

function timestampEvidence(t: TimestampCheck): NonNullable<TimeEvidence["timestamp"]> {
  return {
    kind: t.kind,
    ...(t.time ? { time: t.time.toISOString() } : {}),
    valid: t.valid,
    trusted: t.trusted,
    tsaChain: (t.chain?.certificates ?? []).map(summary),
    problems: t.problems,
  };
}
