/**
 * The attribute certificate table (data directory 4, IMAGE_DIRECTORY_ENTRY_SECURITY), whose
 * VirtualAddress is a *file offset*: a sequence of WIN_CERTIFICATE entries
 * `{ u32 dwLength; u16 wRevision; u16 wCertificateType; u8 bCertificate[dwLength − 8] }`, each
 * starting on an 8-byte boundary (next = pos + round8(dwLength)). This module only walks the
 * entries; judging signatures is the Authenticode area's job.
 *
 * Source: PE/COFF specification §5.7 "The Attribute Certificate Table (Image Only)"
 * (https://learn.microsoft.com/en-us/windows/win32/debug/pe-format); osslsigncode `pe_check_file` and goblin
 * `certificate_table.rs` walk it the same way.
 */
import { MAX_CERTIFICATES } from "./limits.js";
import type { ParseContext } from "./parse-context.js";
import type { CertificateTable, DataDirectory, WinCertificate } from "./types.js";

/** Size of the WIN_CERTIFICATE header (dwLength, wRevision, wCertificateType). */
export const WIN_CERTIFICATE_HEADER_SIZE = 8;
/** WIN_CERT_REVISION_2_0. */
export const WIN_CERT_REVISION_2_0 = 0x0200;
/** WIN_CERT_REVISION_1_0 (legacy). */
export const WIN_CERT_REVISION_1_0 = 0x0100;
/** WIN_CERT_TYPE_PKCS_SIGNED_DATA. */
export const WIN_CERT_TYPE_PKCS_SIGNED_DATA = 0x0002;

/**
 * Walks the certificate table declared by `dir`. Problems (table outside the file, an entry with
 * dwLength < 8 or running past the table) end the walk; oddities that Authenticode triage cares
 * about (table not 8-aligned, not at EOF, Σ round8(dwLength) ≠ Size, unknown revision/type) are
 * notes.
 * @throws PeFormatError in strict mode: `truncated`, `malformed`, `count-over-limit`.
 */
export function parseCertificateTable(ctx: ParseContext, dir: DataDirectory): CertificateTable {
  const r = ctx.reader;
  const structure = "WIN_CERTIFICATE";
  const table: CertificateTable = { offset: dir.virtualAddress, size: dir.size, entries: [] };
  const start = dir.virtualAddress;
  const declaredEnd = start + dir.size;
  if (start === 0 || start >= r.size) {
    ctx.problem(
      "truncated",
      "certificate-table-outside-file",
      "IMAGE_DIRECTORY_ENTRY_SECURITY",
      dir.entryOffset,
      `Certificate table at file offset 0x${start.toString(16)} is outside the file (${r.size} bytes)`,
    );
    return table;
  }
  if (declaredEnd > r.size) {
    ctx.problem(
      "truncated",
      "certificate-table-past-eof",
      "IMAGE_DIRECTORY_ENTRY_SECURITY",
      dir.entryOffset,
      `Certificate table [0x${start.toString(16)}, 0x${declaredEnd.toString(16)}) runs past the end of the file (${r.size} bytes)`,
    );
  } else if (declaredEnd < r.size) {
    ctx.note(
      "certificate-table-not-at-eof",
      "IMAGE_DIRECTORY_ENTRY_SECURITY",
      declaredEnd,
      `${r.size - declaredEnd} byte(s) follow the certificate table`,
    );
  }
  if (start % 8 !== 0)
    ctx.note(
      "certificate-table-unaligned",
      "IMAGE_DIRECTORY_ENTRY_SECURITY",
      dir.entryOffset,
      "Certificate table does not start on an 8-byte boundary",
    );
  const end = Math.min(declaredEnd, r.size);
  let pos = start;
  let sum = 0;
  // Terminates: every step advances pos by round8(dwLength) ≥ 8, and the walk stops at `end` or
  // after MAX_CERTIFICATES entries.
  while (pos + WIN_CERTIFICATE_HEADER_SIZE <= end) {
    if (table.entries.length >= MAX_CERTIFICATES) {
      ctx.problem(
        "count-over-limit",
        "certificate-count-over-limit",
        structure,
        pos,
        `More than ${MAX_CERTIFICATES} WIN_CERTIFICATE entries`,
      );
      break;
    }
    const length = r.u32(pos, structure);
    const revision = r.u16(pos + 4, structure);
    const certificateType = r.u16(pos + 6, structure);
    if (length < WIN_CERTIFICATE_HEADER_SIZE) {
      ctx.problem(
        "malformed",
        "win-certificate-length-too-small",
        structure,
        pos,
        `dwLength ${length} is below the 8-byte header`,
      );
      break;
    }
    const entry: WinCertificate = {
      offset: pos,
      length,
      revision,
      certificateType,
      certificate: r.bytes(pos + 8, Math.min(length, end - pos) - 8, structure),
    };
    table.entries.push(entry);
    if (revision !== WIN_CERT_REVISION_2_0 && revision !== WIN_CERT_REVISION_1_0) {
      ctx.note(
        "win-certificate-unknown-revision",
        structure,
        pos + 4,
        `wRevision 0x${revision.toString(16)} is neither 0x0200 nor 0x0100`,
      );
    }
    if (certificateType !== WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
      ctx.note(
        "win-certificate-not-pkcs-signed-data",
        structure,
        pos + 6,
        `wCertificateType ${certificateType} is not WIN_CERT_TYPE_PKCS_SIGNED_DATA (2)`,
      );
    }
    if (pos + length > end) {
      ctx.problem(
        "truncated",
        "win-certificate-past-table",
        structure,
        pos,
        `WIN_CERTIFICATE of ${length} bytes runs past the certificate table or the file`,
      );
      break;
    }
    const step = length + ((8 - (length % 8)) % 8);
    sum += step;
    pos += step;
  }
  if (sum !== dir.size && table.entries.length > 0 && declaredEnd <= r.size) {
    ctx.note(
      "certificate-table-size-mismatch",
      "IMAGE_DIRECTORY_ENTRY_SECURITY",
      dir.entryOffset,
      `Σ round8(dwLength) = ${sum} but the directory Size is ${dir.size}`,
    );
  }
  return table;
}
