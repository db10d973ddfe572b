/**
 * The parts of an X.509 certificate that RFC 5280 path validation needs and node:crypto does not
 * expose: the version, basicConstraints (cA, pathLenConstraint), the keyUsage bits and the hash
 * of the certificate's own signature algorithm. Read straight from the DER with a small TLV walk
 * over {@link ByteReader} (no asn1js tree: this runs once per certificate and a full decode of a
 * certificate costs several times node:crypto's own parse).
 *
 * Sources: RFC 5280 §4.1 (Certificate, TBSCertificate), §4.1.2.1 (version), §4.2.1.3 (keyUsage
 * bit numbers), §4.2.1.9 (basicConstraints); X.690 §8.1 (TLV), §8.6 (BIT STRING), §8.19 (OID).
 */
import { signatureSchemeFromOid, type DigestAlgorithm } from "./algorithms.js";
import { AuthenticodeError } from "./errors.js";
import { ByteReader } from "../util/byte-reader.js";

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
  /**
   * extnIDs (dotted) of the extensions marked critical that are not in {@link KNOWN_EXTENSIONS}
   * (RFC 5280 §6.1.4(o), §6.1.5(e): such a certificate fails the path).
   */
  unknownCritical?: string[];
}

/**
 * Extensions a Windows chain engine recognises (RFC 5280 §4.2.1 and §4.2.2.1 standard ones):
 * critical is fine for these. Windows refuses any other critical extension (CERT_E_CRITICAL).
 * Of these, nameConstraints, policyConstraints, policyMappings and inhibitAnyPolicy are not
 * enforced here (docs/authenticode.md).
 */
export const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set([
  "2.5.29.14", // subjectKeyIdentifier
  "2.5.29.15", // keyUsage
  "2.5.29.17", // subjectAltName
  "2.5.29.18", // issuerAltName
  "2.5.29.19", // basicConstraints
  "2.5.29.30", // nameConstraints
  "2.5.29.31", // cRLDistributionPoints
  "2.5.29.32", // certificatePolicies
  "2.5.29.33", // policyMappings
  "2.5.29.35", // authorityKeyIdentifier
  "2.5.29.36", // policyConstraints
  "2.5.29.37", // extKeyUsage
  "2.5.29.54", // inhibitAnyPolicy
  "1.3.6.1.5.5.7.1.1", // authorityInfoAccess
]);

/** Extensions read per certificate at most (real certificates carry about ten). */
const MAX_EXTENSIONS = 64;

/** DER tags used here. */
const T = { BOOLEAN: 0x01, INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, OID: 0x06, SEQUENCE: 0x30 };
const CONTEXT_0 = 0xa0;
const CONTEXT_3 = 0xa3;
/** extnID contents of basicConstraints (2.5.29.19) and keyUsage (2.5.29.15). */
const BASIC_CONSTRAINTS = "551d13";
const KEY_USAGE = "551d0f";

/** One DER element: its tag, where its contents start and where it ends (exclusive). */
interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/**
 * Reads the {@link CertificateProfile} of a DER certificate.
 * @throws AuthenticodeError `asn1-malformed` (or `truncated`) when the certificate, its
 *   TBSCertificate or one of the two extensions does not have the RFC 5280 DER shape;
 *   `limit-exceeded` beyond 64 extensions.
 */
export function readCertificateProfile(der: Uint8Array): CertificateProfile {
  const reader = new ByteReader(
    der,
    (offset, length, structure) =>
      new AuthenticodeError(
        "truncated",
        `${structure}: ${length} byte(s) at ${offset} run past the certificate`,
        {
          structure,
          offset,
        },
      ),
  );
  const cert = element(reader, 0, der.length, T.SEQUENCE, "Certificate");
  const tbs = element(reader, cert.start, cert.end, T.SEQUENCE, "TBSCertificate");
  const algorithm = element(reader, tbs.end, cert.end, T.SEQUENCE, "Certificate.signatureAlgorithm");
  const algorithmOid = element(reader, algorithm.start, algorithm.end, T.OID, "signatureAlgorithm");
  const profile: CertificateProfile = { version: 1 };
  const hash = signatureSchemeFromOid(dottedOid(reader, algorithmOid))?.hash;
  if (hash) profile.signatureHash = hash;

  let pos = tbs.start;
  let field = tlv(reader, pos, tbs.end, "TBSCertificate");
  if (field.tag === CONTEXT_0) {
    const version = element(reader, field.start, field.end, T.INTEGER, "TBSCertificate.version");
    profile.version = smallInteger(reader, version, "TBSCertificate.version") + 1;
  }
  let extensions: Tlv | undefined;
  for (; pos < tbs.end; pos = field.end) {
    field = tlv(reader, pos, tbs.end, "TBSCertificate");
    if (field.tag === CONTEXT_3) extensions = field;
  }
  if (!extensions) return profile;
  const list = element(reader, extensions.start, extensions.end, T.SEQUENCE, "Extensions");
  let count = 0;
  for (let at = list.start; at < list.end;) {
    if (++count > MAX_EXTENSIONS)
      throw new AuthenticodeError(
        "limit-exceeded",
        `certificate has more than ${MAX_EXTENSIONS} extensions`,
        {
          structure: "Extensions",
          offset: at,
        },
      );
    const extension = element(reader, at, list.end, T.SEQUENCE, "Extension");
    at = extension.end;
    const id = element(reader, extension.start, extension.end, T.OID, "Extension.extnID");
    const idHex = Buffer.from(reader.bytes(id.start, id.end - id.start, "Extension.extnID")).toString("hex");
    let next = tlv(reader, id.end, extension.end, "Extension");
    let critical = false;
    if (next.tag === T.BOOLEAN) {
      critical = next.end > next.start && reader.u8(next.start, "Extension.critical") !== 0;
      next = tlv(reader, next.end, extension.end, "Extension");
    }
    if (critical) {
      const oid = dottedOid(reader, id);
      if (!KNOWN_EXTENSIONS.has(oid)) (profile.unknownCritical ??= []).push(oid);
    }
    if (idHex !== BASIC_CONSTRAINTS && idHex !== KEY_USAGE) continue;
    if (next.tag !== T.OCTET_STRING) fail(next.start, "Extension.extnValue", "is not an OCTET STRING");
    if (idHex === BASIC_CONSTRAINTS) profile.basicConstraints = basicConstraints(reader, next);
    else profile.keyUsage = keyUsage(reader, next);
  }
  return profile;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL } */
function basicConstraints(
  reader: ByteReader,
  value: Tlv,
): NonNullable<CertificateProfile["basicConstraints"]> {
  const fields = element(reader, value.start, value.end, T.SEQUENCE, "BasicConstraints");
  let ca = false;
  let pos = fields.start;
  if (pos < fields.end) {
    const first = tlv(reader, pos, fields.end, "BasicConstraints");
    if (first.tag === T.BOOLEAN) {
      if (first.end - first.start !== 1) fail(first.start, "BasicConstraints.cA", "is not one octet");
      ca = reader.u8(first.start, "BasicConstraints.cA") !== 0;
      pos = first.end;
    }
  }
  if (pos >= fields.end) return { ca };
  const length = element(reader, pos, fields.end, T.INTEGER, "BasicConstraints.pathLenConstraint");
  return { ca, pathLength: smallInteger(reader, length, "BasicConstraints.pathLenConstraint") };
}

/** KeyUsage ::= BIT STRING; bit 0 digitalSignature (0x80 of the first octet), bit 5 keyCertSign (0x04). */
function keyUsage(reader: ByteReader, value: Tlv): NonNullable<CertificateProfile["keyUsage"]> {
  const bits = element(reader, value.start, value.end, T.BIT_STRING, "KeyUsage");
  // Contents: [unused-bit count, first octet, …]; an empty bit string asserts nothing.
  const first = bits.end - bits.start >= 2 ? reader.u8(bits.start + 1, "KeyUsage") : 0;
  return { digitalSignature: (first & 0x80) !== 0, keyCertSign: (first & 0x04) !== 0 };
}

/** The DER element at `pos` (definite length, one-octet tag), which must end by `limit`. */
function tlv(reader: ByteReader, pos: number, limit: number, structure: string): Tlv {
  const tag = reader.u8(pos, structure);
  if ((tag & 0x1f) === 0x1f) fail(pos, structure, "uses a high tag number");
  const first = reader.u8(pos + 1, structure);
  let start = pos + 2;
  let length = first;
  if (first === 0x80) fail(pos, structure, "has an indefinite length (not DER)");
  if (first > 0x80) {
    const count = first & 0x7f;
    if (count > 4) fail(pos, structure, "has a length of more than 4 octets");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + reader.u8(pos + 2 + i, structure);
    start += count;
  }
  const end = start + length;
  if (end > limit) fail(pos, structure, "runs past its enclosing element");
  return { tag, start, end };
}

/** {@link tlv} that must carry `tag`. */
function element(reader: ByteReader, pos: number, limit: number, tag: number, structure: string): Tlv {
  if (pos >= limit) fail(pos, structure, "is missing");
  const found = tlv(reader, pos, limit, structure);
  if (found.tag !== tag)
    fail(pos, structure, `has tag 0x${found.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return found;
}

/** A non-negative INTEGER of at most 4 octets. */
function smallInteger(reader: ByteReader, integer: Tlv, structure: string): number {
  const length = integer.end - integer.start;
  if (length < 1 || length > 4) fail(integer.start, structure, "is empty or too large");
  if (reader.u8(integer.start, structure) & 0x80) fail(integer.start, structure, "is negative");
  let value = 0;
  for (let i = integer.start; i < integer.end; i++) value = value * 256 + reader.u8(i, structure);
  return value;
}

/** Dotted form of an OBJECT IDENTIFIER's contents (X.690 §8.19). */
function dottedOid(reader: ByteReader, oid: Tlv): string {
  const arcs: number[] = [];
  let value = 0;
  for (let i = oid.start; i < oid.end; i++) {
    const byte = reader.u8(i, "OBJECT IDENTIFIER");
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) fail(i, "OBJECT IDENTIFIER", "has an arc that is too large");
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0)
        arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join(".");
}

function fail(offset: number, structure: string, what: string): never {
  throw new AuthenticodeError("asn1-malformed", `${structure} ${what}`, { structure, offset });
}
