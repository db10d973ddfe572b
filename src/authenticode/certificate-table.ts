/**
 * The attribute certificate table (IMAGE_DIRECTORY_ENTRY_SECURITY) as Authenticode sees it: the
 * WIN_CERTIFICATE entries and every structural anomaly that a lenient verifier (Windows by
 * default) would forgive. Anomalies never change a signature's verdict; they are reported so
 * triage can escalate them.
 *
 * Sources: PE/COFF specification §"The Attribute Certificate Table (Image Only)"; WIN_CERTIFICATE
 * (learn.microsoft.com wintrust.h); MS13-098 / CVE-2013-3900 (extraneous data in
 * WIN_CERTIFICATE, EnableCertPaddingCheck); MS12-024 / CVE-2012-0151 (data outside the measured
 * image); osslsigncode `pe_check_file` (Σ round8(dwLength) == Size);
 * docs/authenticode.md ("Certificate-table anomalies").
 */
import { ByteReader } from "../util/byte-reader.js";
import { AuthenticodeError } from "./errors.js";

/** WIN_CERT_REVISION_2_0. */
export const WIN_CERT_REVISION_2_0 = 0x0200;
/** WIN_CERT_TYPE_PKCS_SIGNED_DATA. */
export const WIN_CERT_TYPE_PKCS_SIGNED_DATA = 0x0002;
/** At most this many WIN_CERTIFICATE entries are read (real files carry 1–2). */
export const MAX_WIN_CERTIFICATES = 64;

/** Stable ids of certificate-table anomalies. */
export type CertificateTableAnomalyCode =
  /** Bytes inside a WIN_CERTIFICATE after its DER beyond 8-byte alignment padding, or non-zero padding (CVE-2013-3900). */
  | "cert-entry-trailing-data"
  /** dwLength is not a multiple of 8. */
  | "cert-entry-length-unaligned"
  /** dwLength < 8 or past the table end. */
  | "cert-entry-length-invalid"
  /** wRevision is not 0x0200. */
  | "cert-entry-revision"
  /** wCertificateType is not 2 (PKCS#7 SignedData). */
  | "cert-entry-unsupported-type"
  /** More than one WIN_CERTIFICATE entry. */
  | "multiple-win-certificates"
  /** Σ round8(dwLength) differs from the directory Size (slack or overrun inside the table). */
  | "cert-table-size-mismatch"
  /** The table starts inside the headers (before SizeOfHeaders). */
  | "cert-table-in-headers"
  /** The table reaches past the end of the file. */
  | "cert-table-past-eof"
  /** Bytes follow the table: it is not the last thing in the file (CVE-2013-3900 / MS12-024). */
  | "cert-table-not-at-eof"
  /** The table's file offset is not 8-byte aligned. */
  | "cert-table-unaligned"
  /** Too many entries; the rest were not read. */
  | "cert-table-too-many-entries"
  /** An unsigned (unauthenticated) attribute carries data this verifier does not interpret, e.g. osslsigncode's 1.3.6.1.4.1.42921.1.2.1 blob. */
  | "unauthenticated-attribute-blob";

/** One certificate-table anomaly. */
export interface CertificateTableAnomaly {
  code: CertificateTableAnomalyCode;
  /** File offset where it was seen, in bytes. */
  offset: number;
  message: string;
}

/** One WIN_CERTIFICATE entry. */
export interface WinCertificateEntry {
  /** Index in the table (0-based). */
  index: number;
  /** File offset of the 8-byte header. */
  offset: number;
  /** dwLength as declared (header + bCertificate [+ padding]), bytes. */
  length: number;
  revision: number;
  certificateType: number;
  /** bCertificate as present in the file (subarray, may be shorter than declared when truncated). */
  certificate: Uint8Array;
  /** File offset of bCertificate. */
  certificateOffset: number;
  /** True when the declared length runs past the table or the file. */
  truncated: boolean;
}

/** Where the table is, per data directory 4 (VirtualAddress is a file offset). */
export interface CertificateTableLocation {
  offset: number;
  size: number;
}

/** The result of walking the table. */
export interface CertificateTableScan {
  location: CertificateTableLocation;
  entries: WinCertificateEntry[];
  anomalies: CertificateTableAnomaly[];
}

/**
 * Walks the certificate table: each entry at `pos`, the next at `pos + round8(dwLength)`
 * (PE/COFF "quadword aligned"). Terminates because every step advances by at least 8 bytes and
 * at most {@link MAX_WIN_CERTIFICATES} entries are read.
 *
 * @param bytes - the whole file.
 * @param location - data directory 4 (offset = VirtualAddress, size = Size), bytes.
 * @param sizeOfHeaders - OptionalHeader.SizeOfHeaders, to detect a table inside the headers.
 * @returns entries (possibly none) and anomalies; never throws for malformed tables.
 */
export function scanCertificateTable(
  bytes: Uint8Array,
  location: CertificateTableLocation,
  sizeOfHeaders: number,
): CertificateTableScan {
  const reader = new ByteReader(
    bytes,
    (offset, length, structure, size) =>
      new AuthenticodeError(
        "truncated",
        `${structure}: ${length} bytes at ${offset} exceed file size ${size}`,
        {
          offset,
          structure,
        },
      ),
  );
  const anomalies: CertificateTableAnomaly[] = [];
  const entries: WinCertificateEntry[] = [];
  const fileSize = bytes.length;
  const { offset, size } = location;
  const declaredEnd = offset + size;

  if (offset < sizeOfHeaders) {
    anomalies.push({
      code: "cert-table-in-headers",
      offset,
      message: `certificate table at ${hex(offset)} starts inside the headers (SizeOfHeaders ${hex(sizeOfHeaders)})`,
    });
  }
  if (offset % 8 !== 0) {
    anomalies.push({
      code: "cert-table-unaligned",
      offset,
      message: `certificate table offset ${hex(offset)} is not 8-byte aligned`,
    });
  }
  if (declaredEnd > fileSize) {
    anomalies.push({
      code: "cert-table-past-eof",
      offset,
      message: `certificate table [${hex(offset)}, ${hex(declaredEnd)}) reaches past the end of the file (${hex(fileSize)})`,
    });
  } else if (declaredEnd < fileSize) {
    anomalies.push({
      code: "cert-table-not-at-eof",
      offset: declaredEnd,
      message: `${fileSize - declaredEnd} bytes follow the certificate table (ends at ${hex(declaredEnd)}, file ends at ${hex(fileSize)})`,
    });
  }

  const end = Math.min(declaredEnd, fileSize);
  let pos = offset;
  while (pos + 8 <= end) {
    if (entries.length >= MAX_WIN_CERTIFICATES) {
      anomalies.push({
        code: "cert-table-too-many-entries",
        offset: pos,
        message: `more than ${MAX_WIN_CERTIFICATES} WIN_CERTIFICATE entries; the rest were not read`,
      });
      break;
    }
    const length = reader.u32(pos, "WIN_CERTIFICATE.dwLength");
    const revision = reader.u16(pos + 4, "WIN_CERTIFICATE.wRevision");
    const certificateType = reader.u16(pos + 6, "WIN_CERTIFICATE.wCertificateType");
    if (length === 0 && isZero(bytes, pos, end)) break; // zero slack: reported as a size mismatch below
    if (length < 8) {
      anomalies.push({
        code: "cert-entry-length-invalid",
        offset: pos,
        message: `WIN_CERTIFICATE at ${hex(pos)} has dwLength ${length} (< 8)`,
      });
      break;
    }
    const truncated = pos + length > end;
    if (truncated) {
      anomalies.push({
        code: "cert-entry-length-invalid",
        offset: pos,
        message: `WIN_CERTIFICATE at ${hex(pos)} declares ${length} bytes but only ${end - pos} remain in the table/file`,
      });
    }
    if (length % 8 !== 0) {
      anomalies.push({
        code: "cert-entry-length-unaligned",
        offset: pos,
        message: `WIN_CERTIFICATE at ${hex(pos)} has dwLength ${length}, not a multiple of 8`,
      });
    }
    if (revision !== WIN_CERT_REVISION_2_0) {
      anomalies.push({
        code: "cert-entry-revision",
        offset: pos + 4,
        message: `WIN_CERTIFICATE at ${hex(pos)} has wRevision ${hex(revision)} (expected 0x200)`,
      });
    }
    if (certificateType !== WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
      anomalies.push({
        code: "cert-entry-unsupported-type",
        offset: pos + 6,
        message: `WIN_CERTIFICATE at ${hex(pos)} has wCertificateType ${certificateType} (only 2, PKCS#7 SignedData, is verified)`,
      });
    }
    const certificateOffset = pos + 8;
    const certificate = reader.bytes(
      certificateOffset,
      Math.min(length, end - pos) - 8,
      "WIN_CERTIFICATE.bCertificate",
    );
    entries.push({
      index: entries.length,
      offset: pos,
      length,
      revision,
      certificateType,
      certificate,
      certificateOffset,
      truncated,
    });
    if (!truncated) checkTrailingData(bytes, pos, length, certificate, certificateOffset, end, anomalies);
    pos += roundUp8(length);
  }

  const walked = pos - offset;
  if (walked !== size && declaredEnd <= fileSize) {
    anomalies.push({
      code: "cert-table-size-mismatch",
      offset: Math.min(pos, end),
      message: `WIN_CERTIFICATE entries (rounded to 8) cover ${walked} bytes but the directory declares ${size}`,
    });
  }
  if (entries.length > 1) {
    anomalies.push({
      code: "multiple-win-certificates",
      offset,
      message: `${entries.length} WIN_CERTIFICATE entries (Windows verifies the first)`,
    });
  }
  return { location, entries, anomalies };
}

/**
 * Flags bytes in an entry's footprint `[pos, pos + round8(dwLength))` after the end of the DER
 * element in bCertificate: more than 7 such bytes cannot be alignment padding (CVE-2013-3900),
 * and padding must be zero.
 */
function checkTrailingData(
  bytes: Uint8Array,
  pos: number,
  length: number,
  certificate: Uint8Array,
  certificateOffset: number,
  end: number,
  anomalies: CertificateTableAnomaly[],
): void {
  const derLength = derElementLength(certificate);
  if (derLength === undefined) return; // undecodable: reported when the CMS is parsed
  const derEnd = certificateOffset + derLength;
  const footprintEnd = Math.min(pos + roundUp8(length), end);
  const trailing = footprintEnd - derEnd;
  if (trailing <= 0) return;
  let nonZero = false;
  for (let i = derEnd; i < footprintEnd; i++) {
    if (bytes[i] !== 0) {
      nonZero = true;
      break;
    }
  }
  if (trailing > 7 || nonZero) {
    anomalies.push({
      code: "cert-entry-trailing-data",
      offset: derEnd,
      message: `${trailing} byte(s)${nonZero ? " (not all zero)" : ""} follow the PKCS#7 DER inside the WIN_CERTIFICATE at ${hex(pos)} (CVE-2013-3900; alignment needs at most 7 zero bytes)`,
    });
  }
}

/** Total length (header + contents) of the definite-length DER element at the start of `der`, or undefined. */
export function derElementLength(der: Uint8Array): number | undefined {
  if (der.length < 2) return undefined;
  if ((der[0]! & 0x1f) === 0x1f) return undefined; // high-tag-number form is never a ContentInfo
  const lengthByte = der[1]!;
  if (lengthByte < 0x80) return 2 + lengthByte;
  const count = lengthByte & 0x7f;
  if (count === 0 || count > 4 || der.length < 2 + count) return undefined; // indefinite or absurd
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + der[2 + i]!;
  return 2 + count + length;
}

function isZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
