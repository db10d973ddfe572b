/**
 * The parts of an X.509 certificate that RFC 5280 path validation needs and node:crypto does not
 * expose: the version, basicConstraints (cA, pathLenConstraint), the keyUsage bits and the hash
 * of the certificate's own signature algorithm. Read straight from the DER with asn1js.
 *
 * Sources: RFC 5280 §4.1.2.1 (version), §4.1.1.2 (signatureAlgorithm), §4.2.1.3 (keyUsage bit
 * numbers), §4.2.1.9 (basicConstraints); X.690 §8.6 (BIT STRING).
 */
import { Asn1Reader, contentsOf, decodeBer, TAG, type Asn1Node } from "./asn1.js";
import { signatureSchemeFromOid, type DigestAlgorithm } from "./algorithms.js";
import { AuthenticodeError } from "./errors.js";
import { OID_EXT_BASIC_CONSTRAINTS, OID_EXT_KEY_USAGE } from "./oids.js";

/** What path validation reads from one certificate. */
export interface CertificateProfile {
  /** X.509 version: 1, 2 or 3 (TBSCertificate.version + 1; absent = 1). */
  version: number;
  /** basicConstraints, when the extension is present (RFC 5280 §4.2.1.9). */
  basicConstraints?: { ca: boolean; pathLength?: number };
  /** keyUsage, when the extension is present (RFC 5280 §4.2.1.3). */
  keyUsage?: { digitalSignature: boolean; keyCertSign: boolean };
  /** Hash named by Certificate.signatureAlgorithm (e.g. `"md5"` for md5WithRSAEncryption), when it names one. */
  signatureHash?: DigestAlgorithm;
}

/** Extensions read per certificate at most (real certificates carry about ten). */
const MAX_EXTENSIONS = 64;

/**
 * Reads the {@link CertificateProfile} of a DER certificate.
 * @throws AuthenticodeError `asn1-malformed` when the TBSCertificate or one of the two
 *   extensions does not have the RFC 5280 shape.
 */
export function readCertificateProfile(der: Uint8Array): CertificateProfile {
  const origin = { base: der, fileOffset: 0 };
  const r = new Asn1Reader(origin);
  const cert = r.sequence(decodeBer(der, "Certificate", origin).node, "Certificate");
  const tbs = r.sequence(cert[0], "TBSCertificate");
  const algorithm = r.oid(r.sequence(cert[1], "Certificate.signatureAlgorithm")[0], "signatureAlgorithm");
  const versionNode = r.isContext(tbs[0], 0) ? r.children(tbs[0], "TBSCertificate.version")[0] : undefined;
  const profile: CertificateProfile = {
    version: versionNode ? r.smallInteger(versionNode, "TBSCertificate.version") + 1 : 1,
  };
  const hash = signatureSchemeFromOid(algorithm)?.hash;
  if (hash) profile.signatureHash = hash;
  const extensions = tbs.find((n) => r.isContext(n, 3));
  if (!extensions) return profile;
  const list = r.sequence(r.children(extensions, "TBSCertificate.extensions")[0], "Extensions");
  if (list.length > MAX_EXTENSIONS)
    throw new AuthenticodeError("limit-exceeded", `certificate has ${list.length} extensions`, {
      structure: "Extensions",
    });
  for (const extension of list) {
    const parts = r.sequence(extension, "Extension");
    const oid = r.oid(parts[0], "Extension.extnID");
    if (oid !== OID_EXT_BASIC_CONSTRAINTS && oid !== OID_EXT_KEY_USAGE) continue;
    const value = r.octets(parts[parts.length - 1], "Extension.extnValue");
    if (oid === OID_EXT_BASIC_CONSTRAINTS) profile.basicConstraints = basicConstraints(r, value);
    else profile.keyUsage = keyUsage(value);
  }
  return profile;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL } */
function basicConstraints(
  r: Asn1Reader,
  value: Uint8Array,
): NonNullable<CertificateProfile["basicConstraints"]> {
  const fields = r.sequence(decodeBer(value, "BasicConstraints", r.origin).node, "BasicConstraints");
  let ca = false;
  let rest: Asn1Node[] = fields;
  if (r.isUniversal(fields[0], TAG.BOOLEAN)) {
    ca = contentsOf(r.tlv(fields[0]), "BasicConstraints.cA")[0] !== 0;
    rest = fields.slice(1);
  }
  if (rest[0] === undefined) return { ca };
  return { ca, pathLength: r.smallInteger(rest[0], "BasicConstraints.pathLenConstraint") };
}

/** KeyUsage ::= BIT STRING; bit 0 digitalSignature (0x80 of the first octet), bit 5 keyCertSign (0x04). */
function keyUsage(value: Uint8Array): NonNullable<CertificateProfile["keyUsage"]> {
  if (value[0] !== 0x03)
    throw new AuthenticodeError("asn1-malformed", "KeyUsage is not a BIT STRING", { structure: "KeyUsage" });
  const bits = contentsOf(value, "KeyUsage"); // [unused-bit count, first octet, …]
  const first = bits[1] ?? 0;
  return { digitalSignature: (first & 0x80) !== 0, keyCertSign: (first & 0x04) !== 0 };
}
