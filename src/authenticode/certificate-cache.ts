/**
 * Parsed X.509 certificates (node:crypto `X509Certificate`) and issuer checks, cached by the
 * SHA-256 of the DER for one run, so a certificate shared by many files (the usual case: one
 * vendor, one CA) is parsed and its issuer signature verified once.
 *
 * Sources: node:crypto X509Certificate (`checkIssued`, `verify`, `keyUsage` = EKU OIDs,
 * `publicKey.asymmetricKeyDetails.namedCurve`); RFC 5280 §4.2.1.12 (EKU); CVE-2020-0601
 * (explicit EC parameters).
 */
import { X509Certificate, createHash, type KeyObject } from "node:crypto";
import { asBuffer } from "./algorithms.js";
import { readCertificateProfile, type CertificateProfile } from "./certificate-profile.js";
import { AuthenticodeError } from "./errors.js";

/** One parsed certificate with the derived facts the verifier uses. */
export interface CertificateInfo {
  x509: X509Certificate;
  der: Uint8Array;
  /** SHA-256 of the DER, lower-case hex. */
  sha256: string;
  /** SHA-256 of the SubjectPublicKeyInfo DER, lower-case hex. */
  spkiSha256: string;
  /** The public key, or undefined when node:crypto cannot decode it (then the certificate verifies nothing). */
  publicKey?: KeyObject;
  /** Subject as one line, e.g. `"C=CZ, O=Corpus Test PKI, CN=Corpus Test Root CA"`. */
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** Extended key usage OIDs, or undefined when the certificate has no EKU extension. */
  extendedKeyUsage?: string[];
  /** Issuer name equals subject name. */
  selfIssued: boolean;
  /** An EC key with explicit (not named) curve parameters: the CVE-2020-0601 pattern. */
  explicitCurve: boolean;
  /**
   * Version, basicConstraints, keyUsage and signature hash read from the DER for path
   * validation; undefined when they cannot be read (such a certificate never passes as an issuer).
   */
  profile?: CertificateProfile;
}

/** Parsed certificates and issuer-check results for one run (per process or per batch). */
export class CertificateCache {
  readonly #bySha256 = new Map<string, CertificateInfo>();
  readonly #issued = new Map<string, boolean>();
  readonly #memo = new Map<string, unknown>();
  /** Caps the memory a run can use: beyond this many entries the caches are cleared. */
  static readonly MAX_ENTRIES = 20_000;

  /** Number of parsed certificates held. */
  get size(): number {
    return this.#bySha256.size;
  }

  /**
   * Parses (or returns the cached) certificate for `der`.
   * @throws AuthenticodeError `bad-certificate` when node:crypto cannot parse it.
   */
  get(der: Uint8Array): CertificateInfo {
    const sha256 = createHash("sha256").update(der).digest("hex");
    const cached = this.#bySha256.get(sha256);
    if (cached) return cached;
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(asBuffer(der));
    } catch (cause) {
      throw new AuthenticodeError(
        "bad-certificate",
        `node:crypto cannot parse a certificate (sha256 ${sha256})`,
        {
          structure: "Certificate",
          cause,
        },
      );
    }
    // A copy of its own: `der` is usually a view into the whole signed file, which a cached
    // entry would otherwise keep alive for the rest of the run (one file per signing certificate).
    const info = describe(x509, new Uint8Array(der), sha256);
    if (this.#bySha256.size >= CertificateCache.MAX_ENTRIES) this.#bySha256.clear();
    this.#bySha256.set(sha256, info);
    return info;
  }

  /**
   * A per-run memo for derived results keyed by certificate hashes (e.g. built chains), so the
   * same leaf with the same intermediates and anchors is resolved once. Bounded like the rest.
   */
  memo<T>(key: string, compute: () => T): T {
    if (this.#memo.has(key)) return this.#memo.get(key) as T;
    const value = compute();
    if (this.#memo.size >= CertificateCache.MAX_ENTRIES) this.#memo.clear();
    this.#memo.set(key, value);
    return value;
  }

  /**
   * True when `issuer` issued `subject`: `subject`'s signature verifies with `issuer`'s public key
   * and the names chain (RFC 5280 §6.1.3(a)(4): equal one-line names, or OpenSSL's
   * `checkIssued`, which compares canonical names and AKI). Deliberately not only `checkIssued`:
   * OpenSSL refuses there an issuer whose keyUsage lacks keyCertSign, which would turn a broken
   * CA into a mere "incomplete chain"; the link is kept so that path validation can name the
   * rule it breaks (path-validation.ts). Cached per pair.
   */
  issued(issuer: CertificateInfo, subject: CertificateInfo): boolean {
    const key = `${issuer.sha256}>${subject.sha256}`;
    const cached = this.#issued.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    try {
      result =
        issuer.publicKey !== undefined &&
        (subject.issuer === issuer.subject || subject.x509.checkIssued(issuer.x509)) &&
        subject.x509.verify(issuer.publicKey);
    } catch {
      result = false; // unsupported key types or malformed parameters never issue anything
    }
    if (this.#issued.size >= CertificateCache.MAX_ENTRIES) this.#issued.clear();
    this.#issued.set(key, result);
    return result;
  }
}

/**
 * True when `certificate` is self-issued and its signature verifies with its own key. No
 * keyUsage/keyCertSign requirement: a self-signed code-signing leaf rarely has it.
 */
export function isSelfSigned(certificate: CertificateInfo): boolean {
  if (!certificate.selfIssued || !certificate.publicKey) return false;
  try {
    return certificate.x509.verify(certificate.publicKey);
  } catch {
    return false;
  }
}

function describe(x509: X509Certificate, der: Uint8Array, sha256: string): CertificateInfo {
  let spkiSha256 = "";
  let explicitCurve = false;
  let publicKey: KeyObject | undefined;
  try {
    publicKey = x509.publicKey;
    spkiSha256 = createHash("sha256")
      .update(publicKey.export({ type: "spki", format: "der" }))
      .digest("hex");
    if (publicKey.asymmetricKeyType === "ec") {
      const curve = publicKey.asymmetricKeyDetails?.namedCurve;
      explicitCurve = curve === undefined || curve === "UNDEF" || curve === "";
    }
  } catch {
    publicKey = undefined; // undecodable key: the certificate can neither sign nor issue anything
  }
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    throw new AuthenticodeError(
      "bad-certificate",
      `certificate ${sha256} has an unreadable validity period`,
      { structure: "Certificate.validity" },
    );
  }
  const eku = x509.keyUsage as string[] | undefined;
  let profile: CertificateProfile | undefined;
  try {
    profile = readCertificateProfile(der);
  } catch (error) {
    if (!(error instanceof AuthenticodeError)) throw error;
    profile = undefined;
  }
  return {
    x509,
    der,
    sha256,
    spkiSha256,
    ...(publicKey ? { publicKey } : {}),
    subject: oneLine(x509.subject),
    issuer: oneLine(x509.issuer),
    notBefore,
    notAfter,
    ...(eku ? { extendedKeyUsage: eku } : {}),
    selfIssued: x509.subject === x509.issuer,
    explicitCurve,
    ...(profile ? { profile } : {}),
  };
}

function oneLine(name: string): string {
  return name.split("\n").filter(Boolean).join(", ");
}
