/**
 * Authenticode timestamps, in the two forms found in unsigned attributes of the signer:
 * - RFC 3161 token (Microsoft attribute 1.3.6.1.4.1.311.3.3.1): a SignedData whose TSTInfo
 *   messageImprint is the hash of the outer SignerInfo's signature value;
 * - PKCS#9 countersignature (1.2.840.113549.1.9.6): a SignerInfo whose messageDigest attribute is
 *   the hash of the outer signature value, signed by a TSA certificate carried in the outer
 *   SignedData, time = its signingTime attribute.
 * A timestamp is `valid` when imprint/messageDigest, TSA signature, TSA chain signatures, the
 * TSA chain's RFC 5280 issuer rules (basicConstraints, pathLenConstraint, keyUsage), timeStamping
 * EKU and the TSA certificates' validity at the stamped time all check out, and the stamped time
 * is not later than the verification time (a time from the future is not evidence); it is
 * `trusted` when, in addition, the TSA chain reaches a trust anchor.
 *
 * Sources: RFC 3161 §2.4.2 (TSTInfo); RFC 2985 §5.3.6 (countersignature); osslsigncode
 * `verify_timestamp`/`verify_timestamp_token` (imprint over the outer encryptedDigest, TSA
 * chain checked at the timestamp's time); signify `authenticode/tsp.py`;
 * docs/authenticode.md ("Timestamps from the future").
 */
import { Asn1Reader, decodeBer, type Asn1Origin } from "./asn1.js";
import { digestAlgorithmFromOid, newHash, toHex, type DigestAlgorithm } from "./algorithms.js";
import type { CertificateCache, CertificateInfo } from "./certificate-cache.js";
import { buildChain, ekuAllows, type ChainResult } from "./chain.js";
import { AuthenticodeError } from "./errors.js";
import { issuerProblem, validityProblem } from "./path-validation.js";
import { EKU_TIME_STAMPING, OID_SIGNING_TIME, OID_TST_INFO } from "./oids.js";
import {
  parseContentInfoNode,
  parseSignerInfoNode,
  type EmbeddedCertificate,
  type SignerInfoModel,
} from "./signed-data.js";
import { verifySignerInfo } from "./signer-verification.js";
import type { TrustStore } from "./trust-store.js";

/** A checked timestamp. */
export interface TimestampCheck {
  kind: "rfc3161" | "pkcs9";
  /** The stamped time (TSTInfo.genTime or the countersigner's signingTime), when readable. */
  time?: Date;
  /** Imprint, TSA signature, chain signatures, EKU and validity all pass. */
  valid: boolean;
  /** `valid` and the TSA chain reaches a trust anchor. */
  trusted: boolean;
  digestAlgorithm?: DigestAlgorithm;
  /** TSA certificate first. */
  chain?: ChainResult;
  /** Why it is not valid / not trusted. */
  problems: string[];
  /** The stamped time is later than the verification time (so the timestamp is not evidence). */
  fromTheFuture: boolean;
  /** File offset of the attribute. */
  offset: number;
}

interface Context {
  outerSignature: Uint8Array;
  outerCertificates: readonly EmbeddedCertificate[];
  trust: TrustStore;
  cache: CertificateCache;
  strict: boolean;
  origin: Asn1Origin;
  /** Verification time: a stamped time later than this is not evidence. */
  at: Date;
}

/**
 * Checks an RFC 3161 timestamp token (the first value of attribute 1.3.6.1.4.1.311.3.3.1).
 * Never throws: structural problems make the timestamp invalid with a reason.
 */
export function checkRfc3161Timestamp(
  token: import("./asn1.js").Asn1Node,
  offset: number,
  context: Context,
): TimestampCheck {
  const check: TimestampCheck = {
    kind: "rfc3161",
    valid: false,
    trusted: false,
    problems: [],
    fromTheFuture: false,
    offset,
  };
  try {
    const sd = parseContentInfoNode(token, context.origin, "TimeStampToken");
    if (sd.eContentType !== OID_TST_INFO || !sd.eContentValue) {
      check.problems.push(`token content type is ${sd.eContentType}, not TSTInfo`);
      return check;
    }
    const r = new Asn1Reader(context.origin);
    const tst = r.sequence(decodeBer(sd.eContentValue, "TSTInfo", context.origin).node, "TSTInfo");
    const imprint = r.sequence(tst[2], "TSTInfo.messageImprint");
    const imprintAlgorithm = digestAlgorithmFromOid(
      r.oid(r.sequence(imprint[0], "MessageImprint.hashAlgorithm")[0], "MessageImprint.hashAlgorithm"),
    );
    const hashedMessage = r.octets(imprint[1], "MessageImprint.hashedMessage");
    check.time = r.time(tst[4], "TSTInfo.genTime");
    if (!imprintAlgorithm) {
      check.problems.push("unsupported messageImprint hash algorithm");
      return check;
    }
    check.digestAlgorithm = imprintAlgorithm;
    const expected = newHash(imprintAlgorithm).update(context.outerSignature).digest("hex");
    if (toHex(hashedMessage) !== expected)
      check.problems.push("TSTInfo.messageImprint does not match the hash of the signer's signature");
    const signer = sd.signerInfos[0];
    if (!signer || sd.signerInfos.length !== 1) {
      check.problems.push(`token has ${sd.signerInfos.length} SignerInfos (expected 1)`);
      return check;
    }
    const pool = [...sd.certificates, ...context.outerCertificates];
    finishSignerChecks(check, signer, sd.eContentValue, pool, context);
  } catch (error) {
    if (!(error instanceof AuthenticodeError)) throw error;
    check.problems.push(`token is malformed: ${error.message}`);
  }
  return check;
}

/**
 * Checks a PKCS#9 countersignature (the first value of attribute 1.2.840.113549.1.9.6).
 * Never throws: structural problems make the timestamp invalid with a reason.
 */
export function checkPkcs9Countersignature(
  value: import("./asn1.js").Asn1Node,
  offset: number,
  context: Context,
): TimestampCheck {
  const check: TimestampCheck = {
    kind: "pkcs9",
    valid: false,
    trusted: false,
    problems: [],
    fromTheFuture: false,
    offset,
  };
  try {
    const signer = parseSignerInfoNode(value, context.origin);
    const r = new Asn1Reader(context.origin);
    const signingTime = signer.signedAttrs?.attributes.find((a) => a.oid === OID_SIGNING_TIME);
    if (signingTime) check.time = r.time(signingTime.values[0], "signingTime");
    else check.problems.push("countersignature has no signingTime attribute");
    const digestAlgorithm = digestAlgorithmFromOid(signer.digestAlgorithm.oid);
    if (digestAlgorithm) check.digestAlgorithm = digestAlgorithm;
    finishSignerChecks(check, signer, context.outerSignature, context.outerCertificates, context);
  } catch (error) {
    if (!(error instanceof AuthenticodeError)) throw error;
    check.problems.push(`countersignature is malformed: ${error.message}`);
  }
  return check;
}

/** TSA signature, chain (signatures and RFC 5280 issuer rules), EKU, validity at the stamped time, no future time. */
function finishSignerChecks(
  check: TimestampCheck,
  signer: SignerInfoModel,
  content: Uint8Array,
  pool: readonly EmbeddedCertificate[],
  context: Context,
): void {
  const verification = verifySignerInfo(signer, content, pool, context.cache, context.origin);
  check.problems.push(...verification.problems.map((p) => `TSA: ${p}`));
  if (!verification.signer) return;
  const tsa = verification.signer.info;
  const poolInfos = parsePool(pool, context.cache);
  const chain = buildChain(tsa, poolInfos, context.trust, context.cache);
  check.chain = chain;
  const eku = ekuAllows(tsa, EKU_TIME_STAMPING);
  if (eku === "denied" || (eku === "absent" && context.strict))
    check.problems.push(
      `TSA certificate EKU ${eku === "absent" ? "is absent" : "lacks timeStamping"} (1.3.6.1.5.5.7.3.8)`,
    );
  if (chain.certificates.some((c) => c.explicitCurve))
    check.problems.push("TSA chain uses explicit EC parameters (CVE-2020-0601 pattern)");
  const issuer = issuerProblem(chain);
  if (issuer) check.problems.push(`TSA chain breaks RFC 5280 path validation: ${issuer.detail}`);
  if (!chain.complete)
    check.problems.push(
      `TSA chain is incomplete: no issuer for "${chain.certificates[chain.certificates.length - 1]!.issuer}"`,
    );
  if (check.time) {
    const problem = validityProblem(chain.certificates, check.time);
    if (problem)
      check.problems.push(
        `TSA certificate "${problem.certificate.subject}" is ${problem.reason} at the stamped time (${problem.detail})`,
      );
    if (check.time.getTime() > context.at.getTime()) {
      check.fromTheFuture = true;
      check.problems.push(
        `${check.kind === "rfc3161" ? "TSTInfo.genTime" : "countersignature signingTime"} ${check.time.toISOString()} is later than the verification time ${context.at.toISOString()}: a time from the future is not evidence`,
      );
    }
  }
  const cryptoOk =
    verification.messageDigest === "pass" &&
    verification.signature === "pass" &&
    check.time !== undefined &&
    !check.problems.some((p) => !p.startsWith("TSA chain is incomplete"));
  check.valid = cryptoOk;
  check.trusted = cryptoOk && chain.anchor !== undefined;
}

/** Parses embedded certificates, skipping those node:crypto rejects. */
export function parsePool(pool: readonly EmbeddedCertificate[], cache: CertificateCache): CertificateInfo[] {
  const out: CertificateInfo[] = [];
  for (const embedded of pool) {
    try {
      out.push(cache.get(embedded.der));
    } catch {
      // an unparsable extra certificate cannot be an issuer
    }
  }
  return out;
}
