/**
 * The attribute certificate table (IMAGE_DIRECTORY_ENTRY_SECURITY) as Authenticode sees it: the
 * WIN_CERTIFICATE entries and every structural anomaly that a lenient verifier (Windows by
 * default) would forgive. Anomalies never change a signature's verdict; they are reported so
 * triage can escalate them. The walk is the PE parser's (src/pe/certificate-table.ts); this module
 * only judges it.
 *
 * Sources: PE/COFF specification §"The Attribute Certificate Table (Image Only)"; WIN_CERTIFICATE
 * (learn.microsoft.com wintrust.h); MS13-098 / CVE-2013-3900 (extraneous data in
 * WIN_CERTIFICATE, EnableCertPaddingCheck); MS12-024 / CVE-2012-0151 (data outside the measured
 * image); osslsigncode `pe_check_file` (Σ round8(dwLength) == Size);
 * docs/authenticode.md ("Certificate-table anomalies").
 */
import {
  alignToCertificateBoundary,
  MAX_CERTIFICATES,
  walkCertificateTable,
  WIN_CERT_REVISION_2_0,
  WIN_CERT_TYPE_PKCS_SIGNED_DATA,
  WIN_CERTIFICATE_ALIGNMENT,
  type CertificateTableLocation,
  type CertificateTableWalk,
  type CertificateTableWalkStop,
  type WinCertificateEntry,
} from "../pe/index.js";

export type { CertificateTableLocation, WinCertificateEntry };

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

/** The result of walking the table. */
export interface CertificateTableScan {
  location: CertificateTableLocation;
  entries: WinCertificateEntry[];
  anomalies: CertificateTableAnomaly[];
}

/**
 * Judges the certificate table as Authenticode sees it. The walk itself (entries, 8-byte steps,
 * the {@link MAX_CERTIFICATES} limit) is the PE parser's {@link walkCertificateTable}; this adds
 * what a lenient verifier forgives: a table inside the headers, unaligned or not at EOF, entries
 * with a bad length, revision or type, data after the DER (CVE-2013-3900), Σ round8(dwLength) ≠
 * Size, and more than one entry.
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
  const walk = walkCertificateTable(bytes, location);
  const anomalies = placementAnomalies(walk, sizeOfHeaders);
  for (const entry of walk.entries) anomalies.push(...entryAnomalies(bytes, walk, entry));
  const stopped = stopAnomaly(walk.stop);
  if (stopped) anomalies.push(stopped);
  const { offset, size } = location;
  const walked = walk.position - offset;
  if (walked !== size && offset + size <= walk.fileSize) {
    anomalies.push({
      code: "cert-table-size-mismatch",
      offset: Math.min(walk.position, walk.end),
      message: `WIN_CERTIFICATE entries (rounded to 8) cover ${walked} bytes but the directory declares ${size}`,
    });
  }
  if (walk.entries.length > 1) {
    anomalies.push({
      code: "multiple-win-certificates",
      offset,
      message: `${walk.entries.length} WIN_CERTIFICATE entries (Windows verifies the first)`,
    });
  }
  return { location, entries: walk.entries, anomalies };
}

/** The table starts inside the headers, is not 8-aligned, runs past EOF or is followed by bytes. */
function placementAnomalies(walk: CertificateTableWalk, sizeOfHeaders: number): CertificateTableAnomaly[] {
  const anomalies: CertificateTableAnomaly[] = [];
  const { fileSize } = walk;
  const { offset, size } = walk.location;
  const declaredEnd = offset + size;
  if (offset < sizeOfHeaders) {
    anomalies.push({
      code: "cert-table-in-headers",
      offset,
      message: `certificate table at ${hex(offset)} starts inside the headers (SizeOfHeaders ${hex(sizeOfHeaders)})`,
    });
  }
  if (offset % WIN_CERTIFICATE_ALIGNMENT !== 0) {
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
  return anomalies;
}

/** One entry: runs past the table, dwLength not a multiple of 8, not revision 2.0, not PKCS#7, data after the DER. */
function entryAnomalies(
  bytes: Uint8Array,
  walk: CertificateTableWalk,
  entry: WinCertificateEntry,
): CertificateTableAnomaly[] {
  const anomalies: CertificateTableAnomaly[] = [];
  const { offset: pos, length, revision, certificateType } = entry;
  if (entry.truncated) {
    anomalies.push({
      code: "cert-entry-length-invalid",
      offset: pos,
      message: `WIN_CERTIFICATE at ${hex(pos)} declares ${length} bytes but only ${walk.end - pos} remain in the table/file`,
    });
  }
  if (length % WIN_CERTIFICATE_ALIGNMENT !== 0) {
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
  if (!entry.truncated) {
    const trailing = trailingDataAnomaly(bytes, entry, walk.end);
    if (trailing) anomalies.push(trailing);
  }
  return anomalies;
}

/**
 * How Authenticode judges the reason the walk stopped. Zero slack and a truncated entry are
 * reported elsewhere (size mismatch, the entry's own anomaly); the end of the table is normal.
 */
function stopAnomaly(stop: CertificateTableWalkStop): CertificateTableAnomaly | undefined {
  switch (stop.reason) {
    case "table-end":
    case "zero-padding":
    case "entry-past-table":
      return undefined;
    case "length-too-small":
      return {
        code: "cert-entry-length-invalid",
        offset: stop.offset,
        message: `WIN_CERTIFICATE at ${hex(stop.offset)} has dwLength ${stop.length} (< 8)`,
      };
    case "count-over-limit":
      return {
        code: "cert-table-too-many-entries",
        offset: stop.offset,
        message: `more than ${MAX_CERTIFICATES} WIN_CERTIFICATE entries; the rest were not read`,
      };
  }
}

/**
 * Flags bytes in an entry's footprint `[pos, pos + round8(dwLength))` after the end of the DER
 * element in bCertificate: more than 7 such bytes cannot be alignment padding (CVE-2013-3900),
 * and padding must be zero.
 */
function trailingDataAnomaly(
  bytes: Uint8Array,
  entry: WinCertificateEntry,
  end: number,
): CertificateTableAnomaly | undefined {
  const derLength = derElementLength(entry.certificate);
  if (derLength === undefined) return undefined; // undecodable: reported when the CMS is parsed
  const derEnd = entry.certificateOffset + derLength;
  const footprintEnd = Math.min(entry.offset + alignToCertificateBoundary(entry.length), end);
  const trailing = footprintEnd - derEnd;
  if (trailing <= 0) return undefined;
  let nonZero = false;
  for (let i = derEnd; i < footprintEnd; i++) {
    if (bytes[i] !== 0) {
      nonZero = true;
      break;
    }
  }
  if (trailing < WIN_CERTIFICATE_ALIGNMENT && !nonZero) return undefined;
  return {
    code: "cert-entry-trailing-data",
    offset: derEnd,
    message: `${trailing} byte(s)${nonZero ? " (not all zero)" : ""} follow the PKCS#7 DER inside the WIN_CERTIFICATE at ${hex(entry.offset)} (CVE-2013-3900; alignment needs at most 7 zero bytes)`,
  };
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

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
