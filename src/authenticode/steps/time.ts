/**
 * Time steps (evidence axis 2): the unsigned attributes (timestamps, nested signatures, unknown
 * blobs), which timestamp can serve as the verification time, and lifetime signing, which
 * forbids using one.
 *
 * Sources: Microsoft "Windows Authenticode Portable Executable Signature Format"
 * (https://learn.microsoft.com/en-us/windows-hardware/drivers/install/authenticode), § "Authenticode
 * Timestamp"; RFC 3161 §2.4.2; RFC 2985 §5.3.6 (countersignature); the lifetime signing EKU
 * 1.3.6.1.4.1.311.10.3.13 (szOID_KP_LIFETIME_SIGNING, wincrypt.h).
 */
import {
  EKU_MS_LIFETIME_SIGNING,
  OID_COUNTERSIGNATURE,
  OID_MS_NESTED_SIGNATURE,
  OID_MS_RFC3161_TIMESTAMP,
} from "../oids.js";
import { checkPkcs9Countersignature, checkRfc3161Timestamp } from "../timestamp.js";
import { parsedCms, record, signerVerification, type SignatureContext } from "../verification-context.js";

/** Unsigned attributes this verifier interprets; any other one is reported as an anomaly. */
const KNOWN_UNSIGNED_ATTRIBUTES = new Set([
  OID_COUNTERSIGNATURE,
  OID_MS_RFC3161_TIMESTAMP,
  OID_MS_NESTED_SIGNATURE,
]);

/**
 * `unsigned-attributes`: checks each RFC 3161 and PKCS#9 timestamp (into `ctx.timestamps`),
 * collects nested signatures (into `ctx.nested`), and reports any other unsigned attribute as an
 * `unauthenticated-attribute-blob` anomaly and a warning: it is data the signature does not protect.
 */
export function unsignedAttributesStep(ctx: SignatureContext): void {
  const { file, sd, origin } = ctx;
  const { signer } = parsedCms(ctx);
  const tsContext = {
    outerSignature: signer.signature,
    outerCertificates: sd.certificates,
    trust: file.policy.trust,
    cache: file.policy.trust.cache,
    strict: file.policy.strict,
    origin,
    at: file.at,
  };
  for (const attribute of signer.unsignedAttrs) {
    if (attribute.oid === OID_MS_RFC3161_TIMESTAMP && attribute.values[0])
      ctx.timestamps.push(checkRfc3161Timestamp(attribute.values[0], attribute.offset, tsContext));
    else if (attribute.oid === OID_COUNTERSIGNATURE && attribute.values[0])
      ctx.timestamps.push(checkPkcs9Countersignature(attribute.values[0], attribute.offset, tsContext));
    else if (attribute.oid === OID_MS_NESTED_SIGNATURE) ctx.nested.push(...attribute.values);
    else if (!KNOWN_UNSIGNED_ATTRIBUTES.has(attribute.oid)) {
      file.anomalies.push({
        code: "unauthenticated-attribute-blob",
        offset: attribute.offset,
        message: `signature ${ctx.path} carries unsigned attribute ${attribute.oid} (${attribute.values.reduce((n, v) => n + v.valueBeforeDecodeView.length, 0)} bytes) outside what the signature protects`,
      });
      record(ctx, "unsigned-attributes", "warn", `unknown unsigned attribute ${attribute.oid}`);
    }
  }
}

/**
 * `timestamp`: records each timestamp's outcome (or that there is none) and picks the usable one
 * (valid and anchored, else valid: `ctx.usableTimestamp`). Without a usable one, a timestamp
 * later than the verification time is recorded as a failure and kept in `ctx.futureTimestamp`.
 */
export function timestampStep(ctx: SignatureContext): void {
  const { timestamps } = ctx;
  const usable = timestamps.find((t) => t.valid && t.trusted) ?? timestamps.find((t) => t.valid);
  if (usable) ctx.usableTimestamp = usable;
  for (const t of timestamps) {
    record(
      ctx,
      "timestamp",
      t.valid ? (t.trusted ? "pass" : "warn") : "fail",
      `${t.kind} timestamp ${t.time?.toISOString() ?? "(no time)"}: ${t.valid ? (t.trusted ? "valid, TSA chain anchored" : "valid, TSA chain not anchored") : t.problems.join("; ")}`,
    );
  }
  if (timestamps.length === 0) record(ctx, "timestamp", "skip", "no timestamp");
  const future = usable ? undefined : timestamps.find((t) => t.fromTheFuture && t.time);
  if (future?.time) {
    ctx.futureTimestamp = future;
    record(
      ctx,
      "timestamp",
      "fail",
      `the ${future.kind} timestamp ${future.time.toISOString()} is later than the verification time ${ctx.file.at.toISOString()}: not evidence, the signature is judged at the verification time`,
    );
  }
}

/**
 * `lifetime-signing`: sets the verification time. A signer carrying the lifetime signing EKU is
 * judged at the policy time whatever its timestamp says (recorded as a warning); otherwise the
 * usable timestamp's time, else the policy time.
 */
export function lifetimeSigningStep(ctx: SignatureContext): void {
  const leaf = signerVerification(ctx).signer?.info;
  ctx.lifetimeSigning = leaf?.extendedKeyUsage?.includes(EKU_MS_LIFETIME_SIGNING) ?? false;
  if (ctx.lifetimeSigning) {
    ctx.verifiedAtSource = "policy-lifetime-signing";
    record(
      ctx,
      "lifetime-signing",
      "warn",
      `signer carries lifetime signing (${EKU_MS_LIFETIME_SIGNING}): the timestamp is ignored, chain judged at ${ctx.file.at.toISOString()}`,
    );
  } else if (ctx.usableTimestamp?.time) {
    ctx.verifiedAt = ctx.usableTimestamp.time;
    ctx.verifiedAtSource = "timestamp";
  }
}
