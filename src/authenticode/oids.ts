/**
 * Object identifiers used by Authenticode, CMS (RFC 5652), RFC 3161 and PKCS#9.
 *
 * Sources: Microsoft "Windows Authenticode Portable Executable Signature Format" v1.0
 * (https://download.microsoft.com/download/9/c/5/9c5b2167-8017-4bae-9fde-d599bac8184a/Authenticode_PE.docx);
 * RFC 5652 §5, §11; RFC 3161 §2.4.2; RFC 2985 (PKCS#9) §5.3.6; RFC 5280 §4.2.1.12.
 */

/** PKCS#7 / CMS content types. */
export const OID_SIGNED_DATA = "1.2.840.113549.1.7.2";
export const OID_DATA = "1.2.840.113549.1.7.1";
/** SPC_INDIRECT_DATA_OBJID: eContentType of an Authenticode SignedData. */
export const OID_SPC_INDIRECT_DATA = "1.3.6.1.4.1.311.2.1.4";
/** SPC_PE_IMAGE_DATA_OBJID: SpcIndirectDataContent.data.type for PE files. */
export const OID_SPC_PE_IMAGE_DATA = "1.3.6.1.4.1.311.2.1.15";
/** TSTInfo content type (RFC 3161 §2.4.2). */
export const OID_TST_INFO = "1.2.840.113549.1.9.16.1.4";

/** Signed attributes. */
export const OID_CONTENT_TYPE = "1.2.840.113549.1.9.3";
export const OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4";
export const OID_SIGNING_TIME = "1.2.840.113549.1.9.5";
export const OID_SPC_SP_OPUS_INFO = "1.3.6.1.4.1.311.2.1.12";
export const OID_SPC_STATEMENT_TYPE = "1.3.6.1.4.1.311.2.1.11";

/** Unsigned attributes understood by this verifier. */
export const OID_COUNTERSIGNATURE = "1.2.840.113549.1.9.6";
export const OID_MS_RFC3161_TIMESTAMP = "1.3.6.1.4.1.311.3.3.1";
export const OID_MS_NESTED_SIGNATURE = "1.3.6.1.4.1.311.2.4.1";
/** osslsigncode's "unauthenticated blob" attribute: arbitrary bytes outside the signature. */
export const OID_OSSLSIGNCODE_UNAUTH_BLOB = "1.3.6.1.4.1.42921.1.2.1";

/** Page-hash attributes inside SpcSerializedObject (SHA-1 / SHA-256). */
export const OID_SPC_PE_IMAGE_PAGE_HASHES_V1 = "1.3.6.1.4.1.311.2.3.1";
export const OID_SPC_PE_IMAGE_PAGE_HASHES_V2 = "1.3.6.1.4.1.311.2.3.2";
/** SpcSerializedObject.classId of the page-hash set: a6b586d5-b4a1-2466-ae05-a217da8e60d6. */
export const SPC_PAGE_HASH_CLASS_ID = "a6b586d5b4a12466ae05a217da8e60d6";

/** Extended key usages (RFC 5280 §4.2.1.12; Microsoft). */
export const EKU_CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
export const EKU_TIME_STAMPING = "1.3.6.1.5.5.7.3.8";
export const EKU_ANY = "2.5.29.37.0";
export const EKU_MS_LIFETIME_SIGNING = "1.3.6.1.4.1.311.10.3.13";

/** X.509 extensions read directly. */
export const OID_EXT_KEY_USAGE = "2.5.29.15";
export const OID_EXT_SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
export const OID_EXT_BASIC_CONSTRAINTS = "2.5.29.19";
