/**
 * Certificates of the Windows system stores kept in the registry, decoded from each
 * certificate's serialized `Blob` value — the trust anchors (and distrusted certificates) that
 * Authenticode verification in `--image` mode uses.
 *
 * Registry locations (https://learn.microsoft.com/en-us/windows/win32/seccrypto/system-store-locations):
 * - CERT_SYSTEM_STORE_LOCAL_MACHINE: `HKLM\SOFTWARE\Microsoft\SystemCertificates\<store>\Certificates\<SHA-1>`;
 * - CERT_SYSTEM_STORE_LOCAL_MACHINE_GROUP_POLICY: `HKLM\SOFTWARE\Policies\Microsoft\SystemCertificates\<store>\…`;
 * - CERT_SYSTEM_STORE_LOCAL_MACHINE_ENTERPRISE: `HKLM\SOFTWARE\Microsoft\EnterpriseCertificates\<store>\…`.
 * Stores read by default: `ROOT`, `AuthRoot` (auto-updated third-party roots) and `Disallowed`.
 *
 * Blob format (the element format of CertSerializeCertificateStoreElement, wincrypt.h): a
 * sequence of property elements `{ u32 propId; u32 encodingType (1 = X509_ASN_ENCODING); u32 length; u8 data[length] }`,
 * little-endian, no padding. Property 32 (CERT_CERT_PROP_ID) holds the certificate's DER; others
 * include 3 (CERT_SHA1_HASH_PROP_ID), 11 (CERT_FRIENDLY_NAME_PROP_ID, UTF-16LE), 9 (enhanced key usage).
 * Wine's crypt32 writes the same layout (see fixtures/windows/certs/).
 */
import { X509Certificate, createHash } from "node:crypto";
import type { RegistryPort } from "../ports/registry.js";
import { ByteReader } from "../util/byte-reader.js";
import { WindowsStateError } from "./errors.js";
import { prefetchSubtree } from "./prefetch.js";
import { findValue } from "./registry-read.js";
import { decodeUnicode } from "./mapi-property.js";

/** Well-known serialized-property ids (wincrypt.h CERT_*_PROP_ID). */
export const CertPropId = {
  CERT_SHA1_HASH_PROP_ID: 3,
  CERT_MD5_HASH_PROP_ID: 4,
  CERT_ENHKEY_USAGE_PROP_ID: 9,
  CERT_FRIENDLY_NAME_PROP_ID: 11,
  CERT_KEY_IDENTIFIER_PROP_ID: 20,
  CERT_CERT_PROP_ID: 32,
} as const;

/** Largest blob decoded, in bytes. */
export const MAX_CERT_BLOB_BYTES = 1024 * 1024;
/** Largest number of property elements read from one blob. */
export const MAX_CERT_BLOB_PROPERTIES = 256;

/** One property element of a serialized certificate blob. */
export interface SerializedCertProperty {
  id: number;
  /** The element's second field (1 = X509_ASN_ENCODING in every blob Windows writes). */
  encodingType: number;
  /** Offset of the data inside the blob, in bytes. */
  offset: number;
  data: Uint8Array;
}

/** A decoded blob. */
export interface SerializedCertificate {
  /** DER of the certificate (CERT_CERT_PROP_ID). */
  der: Uint8Array;
  properties: SerializedCertProperty[];
  /** CERT_FRIENDLY_NAME_PROP_ID, when present. */
  friendlyName: string | undefined;
}

function outOfBounds(path: string | undefined) {
  return (offset: number, length: number, structure: string, size: number): Error =>
    new WindowsStateError(
      "truncated",
      `${structure}: ${length} bytes at offset ${offset} exceed the ${size}-byte blob`,
      {
        offset,
        structure,
        ...(path === undefined ? {} : { path }),
      },
    );
}

/**
 * Decodes a serialized certificate blob (the `Blob` value).
 *
 * @throws {@link WindowsStateError} `truncated` (an element runs past the end), `too-large`
 *   (blob or property count over the caps), `missing-element` (no CERT_CERT_PROP_ID), `malformed`
 *   (empty or non-SEQUENCE DER).
 */
export function decodeCertificateBlob(blob: Uint8Array, path?: string): SerializedCertificate {
  const where = path === undefined ? {} : { path };
  if (blob.length > MAX_CERT_BLOB_BYTES) {
    throw new WindowsStateError("too-large", `certificate blob is ${blob.length} bytes`, {
      structure: "certificate blob",
      ...where,
    });
  }
  const r = new ByteReader(blob, outOfBounds(path));
  const properties: SerializedCertProperty[] = [];
  let offset = 0;
  // Terminates: each iteration advances `offset` by at least 12 bytes, and the count is capped.
  while (offset < blob.length) {
    if (properties.length >= MAX_CERT_BLOB_PROPERTIES) {
      throw new WindowsStateError("too-large", `more than ${MAX_CERT_BLOB_PROPERTIES} properties`, {
        offset,
        structure: "certificate blob",
        ...where,
      });
    }
    const id = r.u32(offset, "serialized property header");
    const encodingType = r.u32(offset + 4, "serialized property header");
    const length = r.u32(offset + 8, "serialized property header");
    const data = r.bytes(offset + 12, length, `property ${id} data`);
    properties.push({ id, encodingType, offset: offset + 12, data });
    offset += 12 + length;
  }
  const cert = properties.find((p) => p.id === CertPropId.CERT_CERT_PROP_ID);
  if (cert === undefined) {
    throw new WindowsStateError("missing-element", "no CERT_CERT_PROP_ID (32) in certificate blob", {
      structure: "certificate blob",
      ...where,
    });
  }
  if (cert.data.length < 2 || cert.data[0] !== 0x30) {
    throw new WindowsStateError("malformed", "CERT_CERT_PROP_ID does not hold a DER SEQUENCE", {
      offset: cert.offset,
      structure: "CERT_CERT_PROP_ID",
      ...where,
    });
  }
  const fn = properties.find((p) => p.id === CertPropId.CERT_FRIENDLY_NAME_PROP_ID);
  return { der: cert.data, properties, friendlyName: fn === undefined ? undefined : decodeUnicode(fn.data) };
}

/** Which physical location a store lives in. */
export type CertStoreLocation = "machine" | "policy" | "enterprise";

/** One certificate found in a store. */
export interface StoreCertificate {
  /** Store name as asked for (`ROOT`, `AuthRoot`, `Disallowed`). */
  store: string;
  location: CertStoreLocation;
  /** SHA-1 of the DER, uppercase hex (what Windows names the subkey). */
  thumbprint: string;
  der: Uint8Array;
  friendlyName: string | undefined;
  /** True when the subkey name equals the computed thumbprint (case-insensitive). */
  thumbprintMatchesKey: boolean;
  /** The certificate's key (evidence). */
  key: string;
}

/** Result of {@link readCertificateStores}. */
export interface CertificateStores {
  certificates: StoreCertificate[];
  /** Blobs that failed to decode: never fatal for the rest. */
  errors: Array<{ key: string; code: string; message: string }>;
  /** `Certificates` keys that existed. */
  evidence: string[];
  source: string;
}

/** Options of {@link readCertificateStores}. */
export interface ReadCertificateStoresOptions {
  /** Store names. Default `["ROOT", "AuthRoot", "Disallowed"]`. */
  stores?: string[];
  /** Largest number of certificates read per store. Default 4096. */
  maxPerStore?: number;
}

const LOCATIONS: Array<[CertStoreLocation, string]> = [
  ["machine", "HKLM\\SOFTWARE\\Microsoft\\SystemCertificates"],
  ["policy", "HKLM\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates"],
  ["enterprise", "HKLM\\SOFTWARE\\Microsoft\\EnterpriseCertificates"],
];

/** Reads every certificate of the given machine stores. Never throws for missing keys or bad blobs. */
export async function readCertificateStores(
  port: RegistryPort,
  options: ReadCertificateStoresOptions = {},
): Promise<CertificateStores> {
  const stores = options.stores ?? ["ROOT", "AuthRoot", "Disallowed"];
  const cap = options.maxPerStore ?? 4096;
  const result: CertificateStores = { certificates: [], errors: [], evidence: [], source: port.describe() };
  for (const [location, base] of LOCATIONS) {
    for (const store of stores) {
      const certsKey = `${base}\\${store}\\Certificates`;
      await prefetchSubtree(port, certsKey);
      const k = await port.getKey(certsKey);
      if (k === undefined) continue;
      result.evidence.push(certsKey);
      for (const name of k.subkeys.slice(0, cap)) {
        const key = `${certsKey}\\${name}`;
        const blob = findValue(await port.getKey(key), "Blob");
        if (blob === undefined) continue;
        try {
          const c = decodeCertificateBlob(blob.data, key);
          // DER that frames but that node:crypto cannot parse is no certificate: a bad blob like
          // the others, not a failure of the whole read (found by the fuzz harness: it made
          // check --bundle fail with bad-certificate from the trust store).
          try {
            new X509Certificate(c.der);
          } catch (cause) {
            throw new WindowsStateError(
              "malformed",
              "CERT_CERT_PROP_ID holds no parsable X.509 certificate",
              {
                path: key,
                structure: "CERT_CERT_PROP_ID",
                cause,
              },
            );
          }
          const thumbprint = createHash("sha1").update(c.der).digest("hex").toUpperCase();
          result.certificates.push({
            store,
            location,
            thumbprint,
            der: c.der,
            friendlyName: c.friendlyName,
            thumbprintMatchesKey: thumbprint === name.toUpperCase(),
            key,
          });
        } catch (e) {
          if (!(e instanceof WindowsStateError)) throw e;
          result.errors.push({ key, code: e.code, message: e.message });
        }
      }
    }
  }
  return result;
}
