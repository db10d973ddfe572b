/**
 * Anomaly detection on hand-built certificate tables (no PE needed: the scan takes bytes and the
 * data-directory location). Each case builds exactly one defect and checks that it, and only the
 * expected anomalies, are reported.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  scanCertificateTable,
  type CertificateTableAnomalyCode,
} from "../../src/authenticode/certificate-table.js";
import { MAX_CERTIFICATES as MAX_WIN_CERTIFICATES } from "../../src/pe/limits.js";

const HEADERS = 0x400;

/** A fake DER element (SEQUENCE) of `contentLength` bytes. */
function der(contentLength: number): Uint8Array {
  const header =
    contentLength < 0x80 ? [0x30, contentLength] : [0x30, 0x82, contentLength >> 8, contentLength & 0xff];
  const out = new Uint8Array(header.length + contentLength).fill(0xab);
  out.set(header);
  return out;
}

interface EntrySpec {
  payload: Uint8Array;
  /** Bytes appended after the payload inside the entry (counted in dwLength). */
  junk?: Uint8Array;
  /** Override dwLength. */
  dwLength?: number;
  revision?: number;
  type?: number;
  /** Bytes after the entry before the next one (alignment padding, not counted in dwLength). */
  padding?: Uint8Array;
}

/** Builds [headers | table | trailer]; returns the file and the table location. */
function build(
  entries: EntrySpec[],
  opts: { trailer?: number; sizeDelta?: number; tableOffset?: number } = {},
): { bytes: Uint8Array; location: { offset: number; size: number } } {
  const parts: number[] = [];
  for (const e of entries) {
    const body = [...e.payload, ...(e.junk ?? [])];
    const length = e.dwLength ?? 8 + body.length;
    const head = new DataView(new ArrayBuffer(8));
    head.setUint32(0, length, true);
    head.setUint16(4, e.revision ?? 0x0200, true);
    head.setUint16(6, e.type ?? 2, true);
    parts.push(...new Uint8Array(head.buffer), ...body);
    const pad = e.padding ?? new Uint8Array((8 - ((8 + body.length) % 8)) % 8);
    parts.push(...pad);
  }
  const offset = opts.tableOffset ?? HEADERS;
  const bytes = new Uint8Array(Math.max(offset, HEADERS) + parts.length + (opts.trailer ?? 0));
  bytes.set(parts, offset);
  return { bytes, location: { offset, size: parts.length + (opts.sizeDelta ?? 0) } };
}

function codes(entries: EntrySpec[], opts?: Parameters<typeof build>[1]): CertificateTableAnomalyCode[] {
  const { bytes, location } = build(entries, opts);
  return scanCertificateTable(bytes, location, HEADERS)
    .anomalies.map((a) => a.code)
    .sort();
}

describe("scanCertificateTable", () => {
  it("a clean entry (DER + zero alignment padding) has no anomaly and is read back", () => {
    const payload = der(100); // 102 bytes → dwLength 110 → 2 padding bytes to 112
    const { bytes, location } = build([
      { payload, dwLength: 112, padding: new Uint8Array(0), junk: new Uint8Array(2) },
    ]);
    const scan = scanCertificateTable(bytes, location, HEADERS);
    assert.deepEqual(scan.anomalies, []);
    assert.equal(scan.entries.length, 1);
    assert.equal(scan.entries[0]!.certificateOffset, HEADERS + 8);
    assert.equal(scan.entries[0]!.certificate[0], 0x30);
  });

  it("flags bytes after the DER beyond alignment padding (CVE-2013-3900)", () => {
    assert.deepEqual(
      codes([{ payload: der(100), junk: new Uint8Array(256).fill(0x41) }]),
      ["cert-entry-length-unaligned", "cert-entry-trailing-data"].sort(),
    );
    assert.deepEqual(codes([{ payload: der(102), junk: new Uint8Array(256) }]), ["cert-entry-trailing-data"]);
  });

  it("flags non-zero alignment padding", () => {
    const { bytes, location } = build([
      { payload: der(100), dwLength: 110, padding: Uint8Array.of(0x00, 0x00) },
    ]);
    bytes[HEADERS + 8 + 102] = 0x01;
    const anomalies = scanCertificateTable(bytes, location, HEADERS).anomalies.map((a) => a.code);
    assert.deepEqual(anomalies.sort(), ["cert-entry-length-unaligned", "cert-entry-trailing-data"]);
  });

  it("flags dwLength not a multiple of 8 but still steps by round8(dwLength)", () => {
    const { bytes, location } = build([
      { payload: der(100), dwLength: 110, padding: Uint8Array.of(0, 0) },
      { payload: der(102), dwLength: 112, padding: new Uint8Array(0) },
    ]);
    const scan = scanCertificateTable(bytes, location, HEADERS);
    assert.equal(scan.entries.length, 2);
    assert.equal(scan.entries[1]!.offset, HEADERS + 112);
    assert.deepEqual(scan.anomalies.map((a) => a.code).sort(), [
      "cert-entry-length-unaligned",
      "multiple-win-certificates",
    ]);
  });

  it("flags wRevision other than 0x0200 and types other than PKCS#7", () => {
    assert.deepEqual(codes([{ payload: der(102), revision: 0x0100 }]), ["cert-entry-revision"]);
    assert.deepEqual(codes([{ payload: der(102), type: 1 }]), ["cert-entry-unsupported-type"]);
  });

  it("flags data after the table (table not at EOF)", () => {
    const { bytes, location } = build([{ payload: der(102) }], { trailer: 24 });
    const anomalies = scanCertificateTable(bytes, location, HEADERS).anomalies;
    assert.deepEqual(
      anomalies.map((a) => a.code),
      ["cert-table-not-at-eof"],
    );
    assert.equal(anomalies[0]!.offset, location.offset + location.size);
  });

  it("flags a table reaching past EOF and a truncated entry, without reading out of bounds", () => {
    const { bytes, location } = build([{ payload: der(102) }]);
    const cut = bytes.subarray(0, HEADERS + 40);
    const scan = scanCertificateTable(cut, location, HEADERS);
    assert.deepEqual(scan.anomalies.map((a) => a.code).sort(), [
      "cert-entry-length-invalid",
      "cert-table-past-eof",
    ]);
    assert.equal(scan.entries[0]!.truncated, true);
    assert.equal(scan.entries[0]!.certificate.length, 32);
  });

  it("flags a table inside the headers", () => {
    assert.ok(codes([{ payload: der(102) }], { tableOffset: 0x200 }).includes("cert-table-in-headers"));
  });

  it("flags a directory Size that differs from the entries (slack inside the table)", () => {
    const { bytes, location } = build([{ payload: der(102) }], { trailer: 16 });
    const grown = { offset: location.offset, size: location.size + 16 };
    assert.deepEqual(
      scanCertificateTable(bytes, grown, HEADERS).anomalies.map((a) => a.code),
      ["cert-table-size-mismatch"],
    );
  });

  it("stops on dwLength < 8 instead of looping", () => {
    assert.deepEqual(
      codes([{ payload: der(102), dwLength: 4 }]),
      ["cert-entry-length-invalid", "cert-table-size-mismatch"].sort(),
    );
  });

  it(`reads at most ${MAX_WIN_CERTIFICATES} entries`, () => {
    const many = Array.from({ length: MAX_WIN_CERTIFICATES + 5 }, () => ({ payload: der(6) }));
    const { bytes, location } = build(many);
    const scan = scanCertificateTable(bytes, location, HEADERS);
    assert.equal(scan.entries.length, MAX_WIN_CERTIFICATES);
    assert.ok(scan.anomalies.some((a) => a.code === "cert-table-too-many-entries"));
  });
});
