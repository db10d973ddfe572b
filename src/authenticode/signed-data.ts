/**
 * PKCS#7 / CMS SignedData as Authenticode and RFC 3161 use it, decoded with asn1js into a plain
 * model that keeps the original encodings the verifier must hash: the eContent value bytes
 * (messageDigest input), the signedAttrs encoding (signature input, re-tagged 0x31), the
 * signature value (timestamp imprint input) and each certificate's DER.
 *
 * Sources: RFC 5652 §5.1–5.4 (SignedData, SignerInfo, signedAttrs re-tagged as SET OF for the
 * signature), RFC 2315 §9.3 (messageDigest over the content octets without tag and length, the
 * rule Authenticode keeps for its SEQUENCE eContent), RFC 5280 §4.1 (Certificate).
 */
import { Asn1Reader, TAG, contentsOf, decodeBer, type Asn1Node, type Asn1Origin } from "./asn1.js";
import { toHex } from "./algorithms.js";
import { AuthenticodeError } from "./errors.js";
import { OID_EXT_KEY_USAGE, OID_EXT_SUBJECT_KEY_IDENTIFIER, OID_SIGNED_DATA } from "./oids.js";

/** At most this many certificates / signers / attributes are read from one SignedData. */
export const SIGNED_DATA_LIMITS = { certificates: 500, signerInfos: 16, attributes: 256 } as const;

/** An AlgorithmIdentifier. */
export interface AlgorithmIdentifier {
  oid: string;
  /** The parameters node, when present and not NULL. */
  parameters?: Asn1Node;
}

/** One attribute (signed or unsigned). */
export interface CmsAttribute {
  oid: string;
  values: Asn1Node[];
  /** File offset of the Attribute SEQUENCE. */
  offset: number;
}

/** A certificate embedded in SignedData.certificates, with the fields needed to match a SignerInfo.sid. */
export interface EmbeddedCertificate {
  der: Uint8Array;
  /** Serial number, lower-case hex without leading zero bytes. */
  serial: string;
  /** Encoded issuer Name. */
  issuer: Uint8Array;
  /** subjectKeyIdentifier extension value, hex. */
  subjectKeyIdentifier?: string;
  /** keyUsage bits (bit 0 = digitalSignature = 0x80 of the first octet), when the extension is present. */
  keyUsage?: { digitalSignature: boolean };
}

/** SignerInfo.sid. */
export type SignerIdentifier =
  | { kind: "issuer-and-serial"; issuer: Uint8Array; serial: string }
  | { kind: "subject-key-identifier"; keyId: string };

/** One SignerInfo. */
export interface SignerInfoModel {
  version: number;
  sid: SignerIdentifier;
  digestAlgorithm: AlgorithmIdentifier;
  /** Signed attributes and the exact bytes the signature covers (original encoding, first byte 0x31). */
  signedAttrs?: { attributes: CmsAttribute[]; signedBytes: Uint8Array };
  signatureAlgorithm: AlgorithmIdentifier;
  /** SignerInfo.signature (the "encryptedDigest"). */
  signature: Uint8Array;
  unsignedAttrs: CmsAttribute[];
  /** File offset of the SignerInfo. */
  offset: number;
}

/** A decoded SignedData. */
export interface SignedDataModel {
  version: number;
  digestAlgorithms: AlgorithmIdentifier[];
  eContentType: string;
  /** The eContent element (tag + length + contents), absent for detached content. */
  eContent?: Asn1Node;
  /** The bytes messageDigest is computed over: OCTET STRING contents, or the contents of any other type without tag and length. */
  eContentValue?: Uint8Array;
  certificates: EmbeddedCertificate[];
  signerInfos: SignerInfoModel[];
  /** Number of CRLs present (Authenticode carries none). */
  crlCount: number;
  /** File offset of the ContentInfo. */
  offset: number;
}

/**
 * Decodes a ContentInfo holding SignedData.
 * @param der - the ContentInfo (bytes after it are ignored here; the certificate-table scan reports them).
 * @param origin - where `der` sits in the file, for offsets in errors.
 * @throws AuthenticodeError `asn1-malformed`, `not-signed-data`, `limit-exceeded`.
 */
export function parseContentInfoSignedData(
  der: Uint8Array,
  origin: Asn1Origin,
  structure = "ContentInfo",
): SignedDataModel {
  const { node } = decodeBer(der, structure, origin);
  return parseContentInfoNode(node, origin, structure);
}

/** As {@link parseContentInfoSignedData} for an already decoded node (e.g. an RFC 3161 token inside an attribute). */
export function parseContentInfoNode(
  node: Asn1Node,
  origin: Asn1Origin,
  structure = "ContentInfo",
): SignedDataModel {
  const r = new Asn1Reader(origin);
  const contentInfo = r.sequence(node, structure);
  const contentType = r.oid(contentInfo[0], `${structure}.contentType`);
  if (contentType !== OID_SIGNED_DATA) {
    throw new AuthenticodeError(
      "not-signed-data",
      `${structure}.contentType is ${contentType}, not SignedData`,
      {
        structure,
        offset: origin.fileOffset,
      },
    );
  }
  const explicit = contentInfo[1];
  if (!r.isContext(explicit, 0)) r.fail(explicit, `${structure}.content`, "is not [0] EXPLICIT");
  const sd = r.sequence(r.children(explicit, `${structure}.content`)[0], "SignedData");

  let i = 0;
  const version = r.smallInteger(sd[i++], "SignedData.version");
  const digestAlgorithms = r
    .set(sd[i++], "SignedData.digestAlgorithms")
    .map((n) => algorithm(r, n, "SignedData.digestAlgorithms"));
  const encap = r.sequence(sd[i++], "SignedData.encapContentInfo");
  const eContentType = r.oid(encap[0], "EncapsulatedContentInfo.eContentType");
  let eContent: Asn1Node | undefined;
  let eContentValue: Uint8Array | undefined;
  if (encap[1] !== undefined) {
    if (!r.isContext(encap[1], 0))
      r.fail(encap[1], "EncapsulatedContentInfo.eContent", "is not [0] EXPLICIT");
    eContent = r.children(encap[1], "EncapsulatedContentInfo.eContent")[0];
    if (!eContent) r.fail(encap[1], "EncapsulatedContentInfo.eContent", "is empty");
    eContentValue = r.isUniversal(eContent, TAG.OCTET_STRING)
      ? r.octets(eContent, "EncapsulatedContentInfo.eContent")
      : contentsOf(r.tlv(eContent), "EncapsulatedContentInfo.eContent");
  }

  const certificates: EmbeddedCertificate[] = [];
  let crlCount = 0;
  while (r.isContext(sd[i], 0) || r.isContext(sd[i], 1)) {
    const tagged = sd[i++]!;
    const items = r.children(tagged, "SignedData.certificates/crls");
    if (r.isContext(tagged, 1)) {
      crlCount += items.length;
      continue;
    }
    if (items.length > SIGNED_DATA_LIMITS.certificates) {
      throw new AuthenticodeError("limit-exceeded", `SignedData.certificates holds ${items.length} entries`, {
        structure: "SignedData.certificates",
      });
    }
    for (const item of items) {
      // CertificateChoices: only the plain Certificate (a SEQUENCE) is used; attribute certificates are skipped.
      if (r.isUniversal(item, TAG.SEQUENCE)) certificates.push(embeddedCertificate(r, item));
    }
  }
  const signerNodes = r.set(sd[i], "SignedData.signerInfos");
  if (signerNodes.length > SIGNED_DATA_LIMITS.signerInfos) {
    throw new AuthenticodeError("limit-exceeded", `SignedData holds ${signerNodes.length} SignerInfos`, {
      structure: "SignedData.signerInfos",
    });
  }
  const signerInfos = signerNodes.map((n) => parseSignerInfoNode(n, origin));
  return {
    version,
    digestAlgorithms,
    eContentType,
    ...(eContent ? { eContent } : {}),
    ...(eContentValue ? { eContentValue } : {}),
    certificates,
    signerInfos,
    crlCount,
    offset: r.tlv(node).byteOffset - origin.base.byteOffset + origin.fileOffset,
  };
}

/**
 * Decodes one SignerInfo (also used for PKCS#9 countersignatures, whose attribute value is a SignerInfo).
 * @throws AuthenticodeError `asn1-malformed`.
 */
export function parseSignerInfoNode(node: Asn1Node, origin: Asn1Origin): SignerInfoModel {
  const r = new Asn1Reader(origin);
  const si = r.sequence(node, "SignerInfo");
  let i = 0;
  const version = r.smallInteger(si[i++], "SignerInfo.version");
  const sidNode = si[i++];
  let sid: SignerIdentifier;
  if (r.isUniversal(sidNode, TAG.SEQUENCE)) {
    const ias = r.sequence(sidNode, "SignerInfo.sid");
    if (!ias[0]) r.fail(sidNode, "IssuerAndSerialNumber.issuer", "is missing");
    sid = {
      kind: "issuer-and-serial",
      issuer: r.tlv(ias[0]),
      serial: normalizeSerial(r.integerBytes(ias[1], "IssuerAndSerialNumber.serialNumber")),
    };
  } else if (r.isContext(sidNode, 0)) {
    sid = { kind: "subject-key-identifier", keyId: toHex(r.octets(sidNode, "SignerInfo.sid", 0)) };
  } else {
    return r.fail(sidNode, "SignerInfo.sid", "is neither IssuerAndSerialNumber nor [0] SubjectKeyIdentifier");
  }
  const digestAlgorithm = algorithm(r, si[i++], "SignerInfo.digestAlgorithm");
  let signedAttrs: SignerInfoModel["signedAttrs"];
  if (r.isContext(si[i], 0)) {
    const tagged = si[i++]!;
    const attributes = attributesOf(r, tagged, "SignerInfo.signedAttrs");
    const signedBytes = Uint8Array.from(r.tlv(tagged));
    signedBytes[0] = 0x31; // RFC 5652 §5.4: the DER of SET OF, i.e. the IMPLICIT [0] re-tagged as a universal SET
    signedAttrs = { attributes, signedBytes };
  }
  const signatureAlgorithm = algorithm(r, si[i++], "SignerInfo.signatureAlgorithm");
  const signature = r.octets(si[i++], "SignerInfo.signature");
  const unsignedAttrs = r.isContext(si[i], 1) ? attributesOf(r, si[i]!, "SignerInfo.unsignedAttrs") : [];
  return {
    version,
    sid,
    digestAlgorithm,
    ...(signedAttrs ? { signedAttrs } : {}),
    signatureAlgorithm,
    signature,
    unsignedAttrs,
    offset: offsetOf(r, node),
  };
}

function offsetOf(r: Asn1Reader, node: Asn1Node): number {
  return r.tlv(node).byteOffset - r.origin.base.byteOffset + r.origin.fileOffset;
}

function algorithm(r: Asn1Reader, node: Asn1Node | undefined, structure: string): AlgorithmIdentifier {
  const seq = r.sequence(node, structure);
  const oid = r.oid(seq[0], `${structure}.algorithm`);
  const parameters = seq[1];
  return parameters && !r.isUniversal(parameters, TAG.NULL) ? { oid, parameters } : { oid };
}

function attributesOf(r: Asn1Reader, tagged: Asn1Node, structure: string): CmsAttribute[] {
  const nodes = r.children(tagged, structure);
  if (nodes.length > SIGNED_DATA_LIMITS.attributes) {
    throw new AuthenticodeError("limit-exceeded", `${structure} holds ${nodes.length} attributes`, {
      structure,
    });
  }
  return nodes.map((n) => {
    const seq = r.sequence(n, `${structure}.Attribute`);
    return {
      oid: r.oid(seq[0], `${structure}.Attribute.attrType`),
      values: r.set(seq[1], `${structure}.Attribute.attrValues`),
      offset: offsetOf(r, n),
    };
  });
}

/** Serial number bytes → lower-case hex without leading zero bytes ("0" for zero). */
export function normalizeSerial(bytes: Uint8Array): string {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return toHex(bytes.subarray(start)) || "0";
}

/** Reads serial, issuer, SKI and keyUsage out of a decoded Certificate (RFC 5280 §4.1). */
function embeddedCertificate(r: Asn1Reader, node: Asn1Node): EmbeddedCertificate {
  const cert = r.sequence(node, "Certificate");
  const tbs = r.sequence(cert[0], "TBSCertificate");
  let i = r.isContext(tbs[0], 0) ? 1 : 0; // [0] EXPLICIT version
  const serial = normalizeSerial(r.integerBytes(tbs[i++], "TBSCertificate.serialNumber"));
  i++; // signature AlgorithmIdentifier
  const issuerNode = tbs[i];
  if (!r.isUniversal(issuerNode, TAG.SEQUENCE)) r.fail(issuerNode, "TBSCertificate.issuer", "is not a Name");
  const result: EmbeddedCertificate = { der: r.tlv(node), serial, issuer: r.tlv(issuerNode) };
  const extensions = tbs.find((n) => r.isContext(n, 3));
  if (extensions) {
    const list = r.sequence(r.children(extensions, "TBSCertificate.extensions")[0], "Extensions");
    for (const ext of list.slice(0, SIGNED_DATA_LIMITS.attributes)) {
      const parts = r.sequence(ext, "Extension");
      const oid = r.oid(parts[0], "Extension.extnID");
      const value = parts[parts.length - 1];
      if (oid === OID_EXT_SUBJECT_KEY_IDENTIFIER) {
        const inner = decodeBer(
          r.octets(value, "Extension.extnValue"),
          "SubjectKeyIdentifier",
          r.origin,
        ).node;
        result.subjectKeyIdentifier = toHex(new Asn1Reader(r.origin).octets(inner, "SubjectKeyIdentifier"));
      } else if (oid === OID_EXT_KEY_USAGE) {
        const bits = r.octets(value, "Extension.extnValue");
        // extnValue wraps a BIT STRING: 03 len unused first-octet…
        const first = bits.length >= 4 && bits[0] === 0x03 ? bits[3]! : 0;
        result.keyUsage = { digitalSignature: (first & 0x80) !== 0 };
      }
    }
  }
  return result;
}
