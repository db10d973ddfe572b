/**
 * Integrity steps (evidence axis 1): one digest algorithm everywhere, the file's authentihash and
 * page hashes against the signed ones, the messageDigest and contentType signed attributes, the
 * signer certificate and the CMS signature.
 *
 * Sources: Microsoft "Windows Authenticode Portable Executable Signature Format"
 * (https://learn.microsoft.com/en-us/windows-hardware/drivers/install/authenticode), § "Calculating
 * the PE Image Hash" and § "SignerInfo"; RFC 5652 §5.4 (message digest calculation), §11.1–11.2
 * (contentType, messageDigest attributes); Microsoft Security Advisory 2862973 (MD5).
 */
import { Asn1Reader } from "../asn1.js";
import { digestAlgorithmFromOid, signatureSchemeFromOid, toHex } from "../algorithms.js";
import { authentihash } from "../authentihash.js";
import { OID_CONTENT_TYPE, OID_SPC_INDIRECT_DATA } from "../oids.js";
import { computePageHashes } from "../page-hashes.js";
import { verifySignerInfo } from "../signer-verification.js";
import {
  invalidate,
  parsedCms,
  record,
  signerVerification,
  type SignatureContext,
} from "../verification-context.js";

/**
 * `digest-algorithms`: SignedData.digestAlgorithms, SpcIndirectDataContent and SignerInfo name one
 * supported algorithm (signify's rule). Sets `integrity.algorithm` (the file digest's) and
 * `algorithmsConsistent`; an unsupported or inconsistent algorithm is invalid. Notes every MD5 use
 * (file digest, signer digest, signature algorithm) in `ctx.weak`.
 */
export function digestAlgorithmsStep(ctx: SignatureContext): void {
  const { spc, signer } = parsedCms(ctx);
  const { integrity } = ctx;
  const spcAlgorithm = digestAlgorithmFromOid(spc.digestAlgorithmOid);
  const signerAlgorithm = digestAlgorithmFromOid(signer.digestAlgorithm.oid);
  const sdAlgorithms = ctx.sd.digestAlgorithms.map((a) => digestAlgorithmFromOid(a.oid) ?? a.oid);
  if (spcAlgorithm) integrity.algorithm = spcAlgorithm;
  integrity.algorithmsConsistent =
    spcAlgorithm !== undefined &&
    spcAlgorithm === signerAlgorithm &&
    sdAlgorithms.length === 1 &&
    sdAlgorithms[0] === spcAlgorithm;
  if (!spcAlgorithm || !signerAlgorithm) {
    invalidate(
      ctx,
      "digest-algorithms",
      `unsupported digest algorithm (${spcAlgorithm ? signer.digestAlgorithm.oid : spc.digestAlgorithmOid})`,
    );
  } else if (!integrity.algorithmsConsistent) {
    invalidate(
      ctx,
      "digest-algorithms",
      `inconsistent digest algorithms: SignedData [${sdAlgorithms.join(", ")}], SpcIndirectDataContent ${spcAlgorithm}, SignerInfo ${signerAlgorithm}`,
    );
  } else {
    record(
      ctx,
      "digest-algorithms",
      spcAlgorithm === "md5" || spcAlgorithm === "sha1" ? "warn" : "pass",
      `${spcAlgorithm} in SignedData, SpcIndirectDataContent and SignerInfo${spcAlgorithm === "md5" ? " (MD5: weak digest, see the weak-digest step)" : spcAlgorithm === "sha1" ? " (SHA-1: legacy digest, still accepted by WinVerifyTrust)" : ""}`,
    );
  }
  // MD5 anywhere the signature's own evidence depends on it (docs/authenticode.md "Weak digests").
  if (spcAlgorithm === "md5") ctx.weak.push("MD5 file digest (SpcIndirectDataContent.messageDigest)");
  if (signerAlgorithm === "md5") ctx.weak.push("MD5 signer digest (SignerInfo.digestAlgorithm)");
  if (signatureSchemeFromOid(signer.signatureAlgorithm.oid)?.hash === "md5")
    ctx.weak.push(`MD5 signature algorithm (SignerInfo.signatureAlgorithm ${signer.signatureAlgorithm.oid})`);
}

/**
 * `image-digest`: the flat authentihash (computed once per file and algorithm) against
 * SpcIndirectDataContent.messageDigest. Skipped when the algorithm is unsupported; a mismatch is
 * invalid (the file was modified after signing).
 */
export function imageDigestStep(ctx: SignatureContext): void {
  const { integrity, file } = ctx;
  const algorithm = integrity.algorithm;
  if (!algorithm) return;
  let computed = file.digests.get(algorithm);
  if (computed === undefined) {
    computed = authentihash(file.bytes, file.pe, algorithm).digest;
    file.digests.set(algorithm, computed);
  }
  integrity.computedDigest = computed;
  integrity.signedDigest = toHex(parsedCms(ctx).spc.digest);
  integrity.imageDigest = computed === integrity.signedDigest ? "pass" : "fail";
  if (integrity.imageDigest === "fail")
    ctx.invalid.push("the file's authentihash does not match the signed digest (modified after signing)");
  record(
    ctx,
    "image-digest",
    integrity.imageDigest,
    `${algorithm} authentihash ${computed} ${integrity.imageDigest === "pass" ? "==" : "!="} signed ${integrity.signedDigest}`,
  );
}

/** `page-hashes`: recomputes the optional page-hash table and compares; a mismatch is invalid. */
export function pageHashesStep(ctx: SignatureContext): void {
  const { pageHashes } = parsedCms(ctx).spc;
  if (!pageHashes) {
    record(ctx, "page-hashes", "skip", "no page hashes in SpcPeImageData");
    return;
  }
  const computed = computePageHashes(ctx.file.bytes, ctx.file.pe, pageHashes.algorithm);
  const outcome =
    computed !== undefined && Buffer.compare(computed, Buffer.from(pageHashes.table)) === 0 ? "pass" : "fail";
  ctx.integrity.pageHashes = outcome;
  if (outcome === "fail") ctx.invalid.push("page hashes do not match the file");
  record(
    ctx,
    "page-hashes",
    outcome,
    `${pageHashes.algorithm} page hashes (${pageHashes.table.length} bytes) ${outcome === "pass" ? "match" : computed ? "differ" : "cannot be recomputed for this layout"}`,
  );
}

/**
 * `message-digest`: verifies the SignerInfo once (messageDigest attribute, signer certificate,
 * signature; sets `ctx.verification`, `integrity.messageDigest` and `integrity.cmsSignature`) and
 * records the messageDigest outcome; a mismatch is invalid.
 */
export function messageDigestStep(ctx: SignatureContext): void {
  const { sd, origin } = ctx;
  const verification = verifySignerInfo(
    parsedCms(ctx).signer,
    sd.eContentValue,
    sd.certificates,
    ctx.file.policy.trust.cache,
    origin,
  );
  ctx.verification = verification;
  ctx.integrity.messageDigest = verification.messageDigest;
  ctx.integrity.cmsSignature = verification.signature;
  record(
    ctx,
    "message-digest",
    verification.messageDigest,
    verification.messageDigest === "pass"
      ? "messageDigest attribute == digest of SpcIndirectDataContent"
      : problemsFor(verification.problems, "messageDigest"),
  );
  if (verification.messageDigest === "fail")
    ctx.invalid.push("the messageDigest signed attribute does not match SpcIndirectDataContent");
}

/** `content-type-attribute`: the contentType signed attribute, when present, is SPC_INDIRECT_DATA (else invalid); its absence is a warning. */
export function contentTypeAttributeStep(ctx: SignatureContext): void {
  const { signedAttrs } = parsedCms(ctx).signer;
  const attribute = signedAttrs?.attributes.find((a) => a.oid === OID_CONTENT_TYPE);
  if (attribute) {
    let value: string;
    try {
      value = new Asn1Reader(ctx.origin).oid(attribute.values[0], "contentType");
    } catch {
      value = "(unreadable)";
    }
    if (value !== OID_SPC_INDIRECT_DATA)
      invalidate(
        ctx,
        "content-type-attribute",
        `contentType signed attribute is ${value}, not SPC_INDIRECT_DATA`,
      );
  } else if (signedAttrs) {
    record(ctx, "content-type-attribute", "warn", "no contentType signed attribute");
  }
}

/** `signer-certificate`: the certificate SignerInfo.sid names is in SignedData.certificates (else invalid). */
export function signerCertificateStep(ctx: SignatureContext): void {
  const { signer } = signerVerification(ctx);
  if (!signer) invalidate(ctx, "signer-certificate", "the signer certificate is not in the SignedData");
  else record(ctx, "signer-certificate", "pass", `${signer.info.subject} (matched by ${signer.matchedBy})`);
}

/** `cms-signature`: the signature over the signed attributes verifies (a failure with a known signer is invalid). */
export function cmsSignatureStep(ctx: SignatureContext): void {
  const verification = signerVerification(ctx);
  record(
    ctx,
    "cms-signature",
    verification.signature,
    verification.signature === "pass"
      ? `signature (${parsedCms(ctx).signer.signatureAlgorithm.oid}) over the signed attributes verifies`
      : problemsFor(verification.problems, "signature"),
  );
  if (verification.signature === "fail" && verification.signer)
    ctx.invalid.push("the CMS signature does not verify");
}

/** The problems about `topic` (or about certificates), else all of them. */
function problemsFor(problems: readonly string[], topic: string): string {
  const relevant = problems.filter(
    (p) => p.toLowerCase().includes(topic.toLowerCase()) || p.includes("certificate"),
  );
  return (relevant.length ? relevant : problems).join("; ") || `${topic} not checked`;
}
