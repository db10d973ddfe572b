/**
 * SpcIndirectDataContent, the Authenticode eContent: which data type was signed (SpcPeImageData
 * for PE files), the image digest (a DigestInfo holding the authentihash) and, when present, the
 * page-hash table serialized in SpcPeImageData.file → SpcLink.moniker → SpcSerializedObject.
 *
 * Sources: "Windows Authenticode Portable Executable Signature Format" v1.0
 * (SpcIndirectDataContent, SpcPeImageData, SpcLink, SpcSerializedObject;
 * https://download.microsoft.com/download/9/c/5/9c5b2167-8017-4bae-9fde-d599bac8184a/Authenticode_PE.docx);
 * signify `asn1/spc.py` (structure names).
 */
import { Asn1Reader, TAG, decodeBer, type Asn1Node, type Asn1Origin } from "./asn1.js";
import { toHex } from "./algorithms.js";
import {
  OID_SPC_PE_IMAGE_DATA,
  OID_SPC_PE_IMAGE_PAGE_HASHES_V1,
  OID_SPC_PE_IMAGE_PAGE_HASHES_V2,
  SPC_PAGE_HASH_CLASS_ID,
} from "./oids.js";

/** The page-hash table carried in the signature. */
export interface SignedPageHashes {
  /** 1.3.6.1.4.1.311.2.3.1 = SHA-1, …2.3.2 = SHA-256. */
  oid: string;
  algorithm: "sha1" | "sha256";
  /** Concatenated {u32 fileOffset, digest} records, as signed. */
  table: Uint8Array;
}

/** Decoded SpcIndirectDataContent. */
export interface SpcIndirectData {
  /** SpcAttributeTypeAndOptionalValue.type, normally SPC_PE_IMAGE_DATA. */
  dataType: string;
  /** DigestInfo.digestAlgorithm OID. */
  digestAlgorithmOid: string;
  /** DigestInfo.digest: the signed authentihash. */
  digest: Uint8Array;
  pageHashes?: SignedPageHashes;
}

/**
 * Decodes SpcIndirectDataContent from the SignedData eContent node.
 * @throws AuthenticodeError `asn1-malformed`.
 */
export function parseSpcIndirectData(eContent: Asn1Node, origin: Asn1Origin): SpcIndirectData {
  const r = new Asn1Reader(origin);
  // CMS-style (RFC 5652) signers wrap the content in an OCTET STRING; Authenticode puts the
  // SEQUENCE there directly. Accept both.
  const content = r.isUniversal(eContent, TAG.OCTET_STRING)
    ? decodeBer(r.octets(eContent, "EncapsulatedContentInfo.eContent"), "SpcIndirectDataContent", origin).node
    : eContent;
  const top = r.sequence(content, "SpcIndirectDataContent");
  const data = r.sequence(top[0], "SpcIndirectDataContent.data");
  const dataType = r.oid(data[0], "SpcAttributeTypeAndOptionalValue.type");
  const digestInfo = r.sequence(top[1], "SpcIndirectDataContent.messageDigest");
  const algorithm = r.sequence(digestInfo[0], "DigestInfo.digestAlgorithm");
  const result: SpcIndirectData = {
    dataType,
    digestAlgorithmOid: r.oid(algorithm[0], "DigestInfo.digestAlgorithm.algorithm"),
    digest: r.octets(digestInfo[1], "DigestInfo.digest"),
  };
  if (dataType === OID_SPC_PE_IMAGE_DATA && data[1] !== undefined) {
    const pageHashes = pageHashesOf(r, data[1]);
    if (pageHashes) result.pageHashes = pageHashes;
  }
  return result;
}

/** SpcPeImageData ::= SEQUENCE { flags BIT STRING, file [0] EXPLICIT SpcLink }. Lenient: anything unexpected means "no page hashes". */
function pageHashesOf(r: Asn1Reader, peImageData: Asn1Node): SignedPageHashes | undefined {
  if (!r.isUniversal(peImageData, TAG.SEQUENCE)) return undefined;
  const file = r.children(peImageData, "SpcPeImageData").find((n) => r.isContext(n, 0));
  if (!file) return undefined;
  const link = r.children(file, "SpcPeImageData.file")[0];
  if (!link || !r.isContext(link, 1) || !link.idBlock.isConstructed) return undefined; // url [0] or file [2]: no page hashes
  const [classId, serialized] = r.children(link, "SpcSerializedObject");
  if (!classId || !serialized) return undefined;
  if (toHex(r.octets(classId, "SpcSerializedObject.classId")) !== SPC_PAGE_HASH_CLASS_ID) return undefined;
  const bytes = r.octets(serialized, "SpcSerializedObject.serializedData");
  const { node } = decodeBer(bytes, "SpcSerializedObject.serializedData", r.origin);
  for (const item of r.set(node, "SpcSerializedObject.serializedData")) {
    const pair = r.sequence(item, "SpcAttributeTypeAndOptionalValue");
    const oid = r.oid(pair[0], "SpcAttributeTypeAndOptionalValue.type");
    if (oid !== OID_SPC_PE_IMAGE_PAGE_HASHES_V1 && oid !== OID_SPC_PE_IMAGE_PAGE_HASHES_V2) continue;
    const tables = r.set(pair[1], "page hashes");
    const table = Buffer.concat(tables.map((t) => r.octets(t, "page hashes")));
    return { oid, algorithm: oid === OID_SPC_PE_IMAGE_PAGE_HASHES_V1 ? "sha1" : "sha256", table };
  }
  return undefined;
}
