/**
 * The attribute certificate table (data directory 4, IMAGE_DIRECTORY_ENTRY_SECURITY), whose
 * VirtualAddress is a *file offset*: a sequence of WIN_CERTIFICATE entries
 * `{ u32 dwLength; u16 wRevision; u16 wCertificateType; u8 bCertificate[dwLength − 8] }`, each
 * starting on an 8-byte boundary (next = pos + round8(dwLength)).
 *
 * This module owns the one walk of the table ({@link walkCertificateTable}): the entries, where
 * and why the walk stopped, and the constants and limit it obeys. It judges nothing about
 * signatures: {@link parseCertificateTable} turns the walk into the PE parser's anomalies, and
 * the Authenticode area turns the same walk into its own (src/authenticode/certificate-table.ts).
 *
 * Sources: PE/COFF specification §"The Attribute Certificate Table (Image Only)"
 * (https://learn.microsoft.com/en-us/windows/win32/debug/pe-format#the-attribute-certificate-table-image-only);
 * WIN_CERTIFICATE (https://learn.microsoft.com/en-us/windows/win32/api/wintrust/ns-wintrust-win_certificate).
 */
import { ByteReader } from "../util/byte-reader.js";
import { peOutOfBounds } from "./errors.js";
import { MAX_CERTIFICATES } from "./limits.js";
import type { ParseContext } from "./parse-context.js";
import type { CertificateTable, DataDirectory, WinCertificate } from "./types.js";

/** Size of the WIN_CERTIFICATE header (dwLength, wRevision, wCertificateType), bytes. */
export const WIN_CERTIFICATE_HEADER_SIZE = 8;
/** WIN_CERTIFICATE entries start on quadword (8-byte) boundaries, and so should the table. */
export const WIN_CERTIFICATE_ALIGNMENT = 8;
/** WIN_CERT_REVISION_2_0. */
export const WIN_CERT_REVISION_2_0 = 0x0200;
/** WIN_CERT_REVISION_1_0 (legacy). */
export const WIN_CERT_REVISION_1_0 = 0x0100;
/** WIN_CERT_TYPE_PKCS_SIGNED_DATA. */
export const WIN_CERT_TYPE_PKCS_SIGNED_DATA = 0x0002;

/** `n` rounded up to {@link WIN_CERTIFICATE_ALIGNMENT}: an entry's footprint in the table, bytes. */
export function alignToCertificateBoundary(n: number): number {
  return Math.ceil(n / WIN_CERTIFICATE_ALIGNMENT) * WIN_CERTIFICATE_ALIGNMENT;
}

/** Where data directory 4 says the table is: `offset` = VirtualAddress (a file offset), `size` = Size, bytes. */
export interface CertificateTableLocation {
  offset: number;
  size: number;
}

/** One WIN_CERTIFICATE entry as walked: the parsed fields plus where it sits and whether it is whole. */
export interface WinCertificateEntry extends WinCertificate {
  /** Index in the table (0-based). */
  index: number;
  /** File offset of bCertificate (the entry offset + 8). */
  certificateOffset: number;
  /** True when dwLength runs past the table or the file (`certificate` is then cut short). */
  truncated: boolean;
}

/**
 * Why the walk stopped; offsets are file offsets of the entry header concerned.
 * - `table-end`: fewer than 8 bytes remain before the end of the table (or of the file).
 * - `zero-padding`: dwLength is 0 and only zero bytes follow to the end (slack, not an entry).
 * - `length-too-small`: dwLength is below the 8-byte header (including a 0 followed by non-zero bytes).
 * - `entry-past-table`: the last entry read runs past the table or the file (it is `truncated`).
 * - `count-over-limit`: {@link MAX_CERTIFICATES} entries were read and more follow.
 */
export type CertificateTableWalkStop =
  | { reason: "table-end" }
  | { reason: "zero-padding"; offset: number }
  | { reason: "length-too-small"; offset: number; length: number }
  | { reason: "entry-past-table"; offset: number; length: number }
  | { reason: "count-over-limit"; offset: number };

/** The result of {@link walkCertificateTable}. */
export interface CertificateTableWalk {
  location: CertificateTableLocation;
  /** File size, bytes. */
  fileSize: number;
  /** Where the walk must stop: min(offset + size, fileSize). */
  end: number;
  entries: WinCertificateEntry[];
  stop: CertificateTableWalkStop;
  /** File offset reached: location.offset + Σ round8(dwLength) over `entries` (a truncated one included). */
  position: number;
}

/**
 * Walks the WIN_CERTIFICATE entries of the table at `location`: each entry at `pos`, the next at
 * `pos + round8(dwLength)`. Terminates because every step advances by at least 8 bytes and at most
 * {@link MAX_CERTIFICATES} entries are read. Every read lies inside [offset, end) ⊆ the file, so it
 * never throws; a table past the end of the file is walked as far as the file goes.
 *
 * @param bytes - the whole file.
 * @param location - data directory 4 (offset = VirtualAddress, size = Size), bytes.
 * @returns the entries (payloads are subarrays of `bytes`), why the walk stopped and where.
 */
export function walkCertificateTable(
  bytes: Uint8Array,
  location: CertificateTableLocation,
): CertificateTableWalk {
  const r = new ByteReader(bytes, peOutOfBounds);
  const structure = "WIN_CERTIFICATE";
  const end = Math.min(location.offset + location.size, bytes.length);
  const entries: WinCertificateEntry[] = [];
  const walk = (stop: CertificateTableWalkStop, position: number): CertificateTableWalk => ({
    location,
    fileSize: bytes.length,
    end,
    entries,
    stop,
    position,
  });
  let pos = location.offset;
  while (pos + WIN_CERTIFICATE_HEADER_SIZE <= end) {
    if (entries.length >= MAX_CERTIFICATES) return walk({ reason: "count-over-limit", offset: pos }, pos);
    const length = r.u32(pos, structure);
    if (length === 0 && isZero(bytes, pos, end)) return walk({ reason: "zero-padding", offset: pos }, pos);
    if (length < WIN_CERTIFICATE_HEADER_SIZE)
      return walk({ reason: "length-too-small", offset: pos, length }, pos);
    const truncated = pos + length > end;
    const certificateOffset = pos + WIN_CERTIFICATE_HEADER_SIZE;
    entries.push({
      index: entries.length,
      offset: pos,
      length,
      revision: r.u16(pos + 4, structure),
      certificateType: r.u16(pos + 6, structure),
      certificate: r.bytes(
        certificateOffset,
        Math.min(length, end - pos) - WIN_CERTIFICATE_HEADER_SIZE,
        structure,
      ),
      certificateOffset,
      truncated,
    });
    const at = pos;
    pos += alignToCertificateBoundary(length);
    if (truncated) return walk({ reason: "entry-past-table", offset: at, length }, pos);
  }
  return walk({ reason: "table-end" }, pos);
}

/**
 * The PE parser's view of the certificate table declared by `dir`: the walked entries, with
 * problems (table outside the file, an entry with dwLength < 8 or running past the table, too
 * many entries) and notes (table not 8-aligned or not at EOF, Σ round8(dwLength) ≠ Size, a
 * revision that is neither 2.0 nor 1.0, a type other than PKCS#7 SignedData) as anomalies.
 * @throws PeFormatError in strict mode: `truncated`, `malformed`, `count-over-limit`.
 */
export function parseCertificateTable(ctx: ParseContext, dir: DataDirectory): CertificateTable {
  const table: CertificateTable = { offset: dir.virtualAddress, size: dir.size, entries: [] };
  const start = dir.virtualAddress;
  const fileSize = ctx.size;
  if (start === 0 || start >= fileSize) {
    ctx.problem(
      "truncated",
      "certificate-table-outside-file",
      "IMAGE_DIRECTORY_ENTRY_SECURITY",
      dir.entryOffset,
      `Certificate table at file offset 0x${start.toString(16)} is outside the file (${fileSize} bytes)`,
    );
    return table;
  }
  const walk = walkCertificateTable(ctx.reader.buffer, { offset: start, size: dir.size });
  reportPlacement(ctx, dir);
  for (const entry of walk.entries) reportEntry(ctx, entry);
  reportStop(ctx, walk.stop);
  // Σ counts whole entries only: a truncated one ended the walk and is reported above.
  const sum = walk.entries
    .filter((e) => !e.truncated)
    .reduce((n, e) => n + alignToCertificateBoundary(e.length), 0);
  if (sum !== dir.size && walk.entries.length > 0 && start + dir.size <= fileSize) {
    ctx.note(
      "certificate-table-size-mismatch",
      "IMAGE_DIRECTORY_ENTRY_SECURITY",
      dir.entryOffset,
      `Σ round8(dwLength) = ${sum} but the directory Size is ${dir.size}`,
    );
  }
  table.entries = walk.entries.map(({ offset, length, revision, certificateType, certificate }) => ({
    offset,
    length,
    revision,
    certificateType,
    certificate,
  }));
  return table;
}

/** The table runs past EOF (a problem), is followed by bytes, or is not 8-aligned (notes). */
function reportPlacement(ctx: ParseContext, dir: DataDirectory): void {
  const start = dir.virtualAddress;
  const declaredEnd = start + dir.size;
  if (declaredEnd > ctx.size) {
    ctx.problem(
      "truncated",
      "certificate-table-past-eof",
      "IMAGE_DIRECTORY_ENTRY_SECURITY",
      dir.entryOffset,
      `Certificate table [0x${start.toString(16)}, 0x${declaredEnd.toString(16)}) runs past the end of the file (${ctx.size} bytes)`,
    );
  } else if (declaredEnd < ctx.size) {
    ctx.note(
      "certificate-table-not-at-eof",
      "IMAGE_DIRECTORY_ENTRY_SECURITY",
      declaredEnd,
      `${ctx.size - declaredEnd} byte(s) follow the certificate table`,
    );
  }
  if (start % WIN_CERTIFICATE_ALIGNMENT !== 0)
    ctx.note(
      "certificate-table-unaligned",
      "IMAGE_DIRECTORY_ENTRY_SECURITY",
      dir.entryOffset,
      "Certificate table does not start on an 8-byte boundary",
    );
}

/** Notes a revision other than 2.0 and 1.0, and a type other than PKCS#7 SignedData. */
function reportEntry(ctx: ParseContext, entry: WinCertificateEntry): void {
  const { offset, revision, certificateType } = entry;
  if (revision !== WIN_CERT_REVISION_2_0 && revision !== WIN_CERT_REVISION_1_0) {
    ctx.note(
      "win-certificate-unknown-revision",
      "WIN_CERTIFICATE",
      offset + 4,
      `wRevision 0x${revision.toString(16)} is neither 0x0200 nor 0x0100`,
    );
  }
  if (certificateType !== WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
    ctx.note(
      "win-certificate-not-pkcs-signed-data",
      "WIN_CERTIFICATE",
      offset + 6,
      `wCertificateType ${certificateType} is not WIN_CERT_TYPE_PKCS_SIGNED_DATA (2)`,
    );
  }
}

/** A walk that stopped before the end of the table is a problem (zero slack counts as dwLength 0). */
function reportStop(ctx: ParseContext, stop: CertificateTableWalkStop): void {
  switch (stop.reason) {
    case "table-end":
      return;
    case "count-over-limit":
      ctx.problem(
        "count-over-limit",
        "certificate-count-over-limit",
        "WIN_CERTIFICATE",
        stop.offset,
        `More than ${MAX_CERTIFICATES} WIN_CERTIFICATE entries`,
      );
      return;
    case "zero-padding":
    case "length-too-small":
      ctx.problem(
        "malformed",
        "win-certificate-length-too-small",
        "WIN_CERTIFICATE",
        stop.offset,
        `dwLength ${stop.reason === "zero-padding" ? 0 : stop.length} is below the 8-byte header`,
      );
      return;
    case "entry-past-table":
      ctx.problem(
        "truncated",
        "win-certificate-past-table",
        "WIN_CERTIFICATE",
        stop.offset,
        `WIN_CERTIFICATE of ${stop.length} bytes runs past the certificate table or the file`,
      );
  }
}

function isZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}
