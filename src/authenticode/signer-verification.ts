/**
 * Verifies one SignerInfo against its content: finds the signer certificate (by
 * IssuerAndSerialNumber or SubjectKeyIdentifier), checks the messageDigest signed attribute
 * against the content, and checks the signature over the signed attributes (original encoding
 * re-tagged 0x31) with node:crypto. Used for the Authenticode signer, RFC 3161 TSA signers and
 * PKCS#9 countersigners alike. MD5 is handled like the other digests (pkijs 4 lacks it).
 *
 * Sources: RFC 5652 §5.4 (message digest calculation), §5.6 (signature verification),
 * §11.2 (messageDigest attribute); RFC 4055 §3.1 (RSASSA-PSS-params).
 */
import {
  constants,
  publicDecrypt,
  timingSafeEqual,
  verify as cryptoVerify,
  type KeyObject,
} from "node:crypto";
import { Asn1Reader, type Asn1Origin } from "./asn1.js";
import {
  asBuffer,
  digestAlgorithmFromOid,
  newHash,
  signatureSchemeFromOid,
  toHex,
  type DigestAlgorithm,
} from "./algorithms.js";
import type { CertificateCache, CertificateInfo } from "./certificate-cache.js";
import { OID_MESSAGE_DIGEST } from "./oids.js";
import type {
  AlgorithmIdentifier,
  CmsAttribute,
  EmbeddedCertificate,
  SignerInfoModel,
} from "./signed-data.js";

/** Outcome of one check. */
export type CheckOutcome = "pass" | "fail";

/** What {@link verifySignerInfo} found. */
export interface SignerVerification {
  digestAlgorithm?: DigestAlgorithm;
  /** The signer certificate, when one was found. */
  signer?: {
    embedded: EmbeddedCertificate;
    info: CertificateInfo;
    matchedBy: "issuer-and-serial" | "serial" | "subject-key-identifier" | "public-key";
  };
  /** messageDigest attribute vs digest of the content. */
  messageDigest: CheckOutcome;
  /** The value of the messageDigest attribute and the recomputed digest, hex. */
  messageDigestValue?: string;
  computedContentDigest?: string;
  /** Signature over the signed attributes. */
  signature: CheckOutcome;
  /** Why a check failed, in words. */
  problems: string[];
}

/**
 * Verifies `signer` over `content` (the eContent value bytes, or for a countersignature the
 * countersigned signature value).
 * @param certificates - candidate signer certificates (SignedData.certificates).
 * @param cache - parsed certificates.
 * @param origin - for offsets in errors while reading algorithm parameters.
 */
export function verifySignerInfo(
  signer: SignerInfoModel,
  content: Uint8Array | undefined,
  certificates: readonly EmbeddedCertificate[],
  cache: CertificateCache,
  origin: Asn1Origin,
): SignerVerification {
  const problems: string[] = [];
  const digestAlgorithm = digestAlgorithmFromOid(signer.digestAlgorithm.oid);
  if (!digestAlgorithm) {
    return {
      messageDigest: "fail",
      signature: "fail",
      problems: [`unsupported digest algorithm ${signer.digestAlgorithm.oid}`],
    };
  }
  const result: SignerVerification = { digestAlgorithm, messageDigest: "fail", signature: "fail", problems };

  // messageDigest signed attribute (RFC 5652 §11.2) == H(content).
  const attrs = signer.signedAttrs;
  if (!attrs) {
    problems.push("SignerInfo has no signed attributes (Authenticode requires them)");
  } else if (content === undefined) {
    problems.push("no content to compare the messageDigest attribute with");
  } else {
    const values = attrs.attributes.filter((a) => a.oid === OID_MESSAGE_DIGEST);
    const value = values.length === 1 ? attributeOctets(values[0]!, origin) : undefined;
    const computed = newHash(digestAlgorithm).update(content).digest();
    result.computedContentDigest = computed.toString("hex");
    if (values.length !== 1 || values[0]!.values.length !== 1 || !value) {
      problems.push(
        `expected exactly one messageDigest attribute value, found ${values.length} attribute(s)`,
      );
    } else {
      result.messageDigestValue = toHex(value);
      if (value.length === computed.length && timingSafeEqual(asBuffer(value), computed))
        result.messageDigest = "pass";
      else problems.push("messageDigest attribute does not match the digest of the content");
    }
  }

  // Signer certificate.
  const found = findSigner(signer, certificates, cache, digestAlgorithm, origin);
  if (!found) {
    problems.push("signer certificate not found among the SignedData certificates");
    return result;
  }
  result.signer = found;
  if (!attrs) return result;
  if (
    found.info.publicKey &&
    verifySignature(
      signer.signatureAlgorithm,
      digestAlgorithm,
      attrs.signedBytes,
      signer.signature,
      found.info.publicKey,
      origin,
    )
  ) {
    result.signature = "pass";
  } else {
    problems.push("signature over the signed attributes does not verify with the signer's public key");
  }
  return result;
}

function attributeOctets(attribute: CmsAttribute, origin: Asn1Origin): Uint8Array | undefined {
  try {
    return new Asn1Reader(origin).octets(attribute.values[0], "messageDigest");
  } catch {
    return undefined;
  }
}

function findSigner(
  signer: SignerInfoModel,
  certificates: readonly EmbeddedCertificate[],
  cache: CertificateCache,
  digestAlgorithm: DigestAlgorithm,
  origin: Asn1Origin,
): SignerVerification["signer"] {
  const parse = (embedded: EmbeddedCertificate): CertificateInfo | undefined => {
    try {
      return cache.get(embedded.der);
    } catch {
      return undefined;
    }
  };
  const sid = signer.sid;
  const verifies = (info: CertificateInfo): boolean =>
    signer.signedAttrs !== undefined &&
    info.publicKey !== undefined &&
    verifySignature(
      signer.signatureAlgorithm,
      digestAlgorithm,
      signer.signedAttrs.signedBytes,
      signer.signature,
      info.publicKey,
      origin,
    );
  /**
   * The first readable certificate of `list`, unless several match: then the first whose key
   * verifies the signature. The bag is unsigned, so anyone can add a certificate with the
   * signer's issuer and serial (or key id) ahead of the real one.
   */
  const pick = (
    list: EmbeddedCertificate[],
    matchedBy: NonNullable<SignerVerification["signer"]>["matchedBy"],
  ): SignerVerification["signer"] => {
    const readable = list.flatMap((embedded) => {
      const info = parse(embedded);
      return info ? [{ embedded, info, matchedBy }] : [];
    });
    return (readable.length > 1 ? readable.find((c) => verifies(c.info)) : undefined) ?? readable[0];
  };
  if (sid.kind === "issuer-and-serial") {
    const exact = certificates.filter(
      (c) => c.serial === sid.serial && Buffer.compare(asBuffer(c.issuer), asBuffer(sid.issuer)) === 0,
    );
    const bySerial = exact.length > 0 ? [] : certificates.filter((c) => c.serial === sid.serial);
    const hit = pick(exact, "issuer-and-serial") ?? pick(bySerial, "serial");
    if (hit) return hit;
  } else {
    const hit = pick(
      certificates.filter((c) => c.subjectKeyIdentifier === sid.keyId),
      "subject-key-identifier",
    );
    if (hit) return hit;
  }
  // Last resort: a certificate whose key verifies the signature (the sid names nothing we hold).
  if (!signer.signedAttrs) return undefined;
  for (const embedded of certificates) {
    const info = parse(embedded);
    if (info && verifies(info)) return { embedded, info, matchedBy: "public-key" };
  }
  return undefined;
}

/**
 * Checks `signature` over `data` with `key`. The hash is SignerInfo.digestAlgorithm (RFC 5652
 * §5.4), falling back to the hash the signature algorithm names when the two disagree.
 * @returns false for any failure, including unsupported algorithms or keys.
 */
export function verifySignature(
  signatureAlgorithm: AlgorithmIdentifier,
  digestAlgorithm: DigestAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
  key: KeyObject,
  origin: Asn1Origin,
): boolean {
  const scheme = signatureSchemeFromOid(signatureAlgorithm.oid);
  if (!scheme) return false;
  const hashes =
    scheme.hash && scheme.hash !== digestAlgorithm ? [digestAlgorithm, scheme.hash] : [digestAlgorithm];
  for (const hash of hashes) {
    try {
      if (scheme.kind === "rsa-pss") {
        const params = pssParameters(signatureAlgorithm, origin);
        if (!params) return false;
        if (
          cryptoVerify(
            params.hash,
            data,
            { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength },
            signature,
          )
        )
          return true;
        return false;
      }
      if (scheme.kind === "rsa-pkcs1" && key.asymmetricKeyType !== "rsa") return false;
      if (scheme.kind === "ecdsa" && key.asymmetricKeyType !== "ec") return false;
      if (scheme.kind === "dsa" && key.asymmetricKeyType !== "dsa") return false;
      const options =
        scheme.kind === "rsa-pkcs1"
          ? { key, padding: constants.RSA_PKCS1_PADDING }
          : { key, dsaEncoding: "der" as const };
      if (cryptoVerify(hash, data, options, signature)) return true;
      if (scheme.kind === "rsa-pkcs1" && rawRsaDigestMatches(hash, data, signature, key)) return true;
    } catch {
      // wrong key type, unsupported curve, malformed signature: not verified
    }
  }
  return false;
}

/**
 * Legacy RSA signatures whose PKCS#1 v1.5 block holds the bare digest instead of a DigestInfo
 * (seen in 2008-era VeriSign PKCS#9 countersignatures, e.g. signify's SoftwareUpdate.exe);
 * Windows accepts them.
 */
function rawRsaDigestMatches(
  hash: DigestAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
  key: KeyObject,
): boolean {
  const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, asBuffer(signature));
  const expected = newHash(hash).update(data).digest();
  return recovered.length === expected.length && timingSafeEqual(recovered, expected);
}

/** RSASSA-PSS-params (RFC 4055 §3.1): hashAlgorithm [0] (default SHA-1), saltLength [2] (default 20). */
function pssParameters(
  algorithm: AlgorithmIdentifier,
  origin: Asn1Origin,
): { hash: DigestAlgorithm; saltLength: number } | undefined {
  const r = new Asn1Reader(origin);
  let hash: DigestAlgorithm | undefined = "sha1";
  let saltLength = 20;
  if (!algorithm.parameters) return { hash, saltLength };
  try {
    for (const field of r.sequence(algorithm.parameters, "RSASSA-PSS-params")) {
      if (r.isContext(field, 0)) {
        const id = r.sequence(r.children(field, "hashAlgorithm")[0], "hashAlgorithm");
        hash = digestAlgorithmFromOid(r.oid(id[0], "hashAlgorithm.algorithm"));
      } else if (r.isContext(field, 2)) {
        saltLength = r.smallInteger(r.children(field, "saltLength")[0], "saltLength");
      }
    }
  } catch {
    return undefined;
  }
  return hash ? { hash, saltLength } : undefined;
}
