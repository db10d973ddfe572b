/**
 * Digest and signature algorithm identifiers accepted by the verifier, mapped to node:crypto names.
 * Authenticode allows MD5, SHA-1, SHA-256, SHA-384 and SHA-512 digests (Authenticode_PE.docx,
 * https://download.microsoft.com/download/9/c/5/9c5b2167-8017-4bae-9fde-d599bac8184a/Authenticode_PE.docx;
 * signify `asn1/hashing.py`); signatures are RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA or DSA.
 *
 * Sources: RFC 3279 §2.2, RFC 4055 §3, RFC 5758 §3, NIST CSOR (hash OIDs).
 */
import { createHash, type Hash } from "node:crypto";
import { AuthenticodeError } from "./errors.js";

/** A digest algorithm name as node:crypto spells it. */
export type DigestAlgorithm = "md5" | "sha1" | "sha256" | "sha384" | "sha512";

/** The digest algorithms this verifier implements, weakest first. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ["md5", "sha1", "sha256", "sha384", "sha512"];

const DIGEST_BY_OID: Readonly<Record<string, DigestAlgorithm>> = {
  "1.2.840.113549.2.5": "md5",
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};

/** Digest length in bytes. */
export const DIGEST_LENGTH: Readonly<Record<DigestAlgorithm, number>> = {
  md5: 16,
  sha1: 20,
  sha256: 32,
  sha384: 48,
  sha512: 64,
};

/** The digest algorithm for an AlgorithmIdentifier OID, or `undefined` when not supported. */
export function digestAlgorithmFromOid(oid: string): DigestAlgorithm | undefined {
  return DIGEST_BY_OID[oid];
}

/** How a SignerInfo's signature value is checked. */
export interface SignatureScheme {
  kind: "rsa-pkcs1" | "rsa-pss" | "ecdsa" | "dsa";
  /** Hash named by the signature algorithm itself (e.g. sha256WithRSAEncryption); absent for bare `rsaEncryption`/`id-ecPublicKey`. */
  hash?: DigestAlgorithm;
}

const SIGNATURE_BY_OID: Readonly<Record<string, SignatureScheme>> = {
  "1.2.840.113549.1.1.1": { kind: "rsa-pkcs1" },
  "1.2.840.113549.1.1.4": { kind: "rsa-pkcs1", hash: "md5" },
  "1.2.840.113549.1.1.5": { kind: "rsa-pkcs1", hash: "sha1" },
  "1.3.14.3.2.29": { kind: "rsa-pkcs1", hash: "sha1" },
  "1.2.840.113549.1.1.11": { kind: "rsa-pkcs1", hash: "sha256" },
  "1.2.840.113549.1.1.12": { kind: "rsa-pkcs1", hash: "sha384" },
  "1.2.840.113549.1.1.13": { kind: "rsa-pkcs1", hash: "sha512" },
  "1.2.840.113549.1.1.10": { kind: "rsa-pss" },
  "1.2.840.10045.2.1": { kind: "ecdsa" },
  "1.2.840.10045.4.1": { kind: "ecdsa", hash: "sha1" },
  "1.2.840.10045.4.3.2": { kind: "ecdsa", hash: "sha256" },
  "1.2.840.10045.4.3.3": { kind: "ecdsa", hash: "sha384" },
  "1.2.840.10045.4.3.4": { kind: "ecdsa", hash: "sha512" },
  "1.2.840.10040.4.1": { kind: "dsa" },
  "1.2.840.10040.4.3": { kind: "dsa", hash: "sha1" },
  "2.16.840.1.101.3.4.3.2": { kind: "dsa", hash: "sha256" },
};

/** The signature scheme for a SignerInfo.signatureAlgorithm OID, or `undefined`. */
export function signatureSchemeFromOid(oid: string): SignatureScheme | undefined {
  return SIGNATURE_BY_OID[oid];
}

/**
 * A node:crypto Hash for `algorithm`.
 * @throws AuthenticodeError `unsupported-algorithm` when the OpenSSL build lacks it (e.g. MD5 in FIPS mode).
 */
export function newHash(algorithm: DigestAlgorithm): Hash {
  try {
    return createHash(algorithm);
  } catch (cause) {
    throw new AuthenticodeError("unsupported-algorithm", `node:crypto cannot hash with ${algorithm}`, {
      structure: "DigestAlgorithm",
      cause,
    });
  }
}

/** Hex digest of one buffer (no copy of the input). */
export function digestHex(algorithm: DigestAlgorithm, data: Uint8Array): string {
  return newHash(algorithm).update(data).digest("hex");
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** A Buffer sharing memory with `bytes` (no copy), for node:crypto APIs that want Buffers. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
