import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import { X509Certificate } from "node:crypto";
import { WindowsStateError, decodeCertificateBlob, readCertificateStores } from "../../src/windows/index.js";
import { FakeRegistry } from "./helpers/fake-registry.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const der = new Uint8Array(
  readFileSync(path.join(repoRoot, "fixtures", "windows", "certs", "test-root.der")),
);
const sha1 = createHash("sha1").update(der).digest("hex").toUpperCase();

function element(id: number, data: Uint8Array, encodingType = 1): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32LE(id, 0);
  h.writeUInt32LE(encodingType, 4);
  h.writeUInt32LE(data.length, 8);
  return Buffer.concat([h, data]);
}

const blob = (): Uint8Array =>
  new Uint8Array(
    Buffer.concat([
      element(3, Buffer.from(sha1, "hex")),
      element(11, Buffer.from("Test Root\0", "utf16le")),
      element(32, der),
    ]),
  );

const isErr = (code: string, offset?: number) => (e: unknown) =>
  e instanceof WindowsStateError && e.code === code && (offset === undefined || e.offset === offset);

describe("decodeCertificateBlob", () => {
  it("extracts the DER (CERT_CERT_PROP_ID) and friendly name from a serialized blob", () => {
    const c = decodeCertificateBlob(blob());
    assert.deepEqual(Buffer.from(c.der), Buffer.from(der));
    assert.equal(c.friendlyName, "Test Root");
    assert.deepEqual(
      c.properties.map((p) => [p.id, p.encodingType, p.data.length]),
      [
        [3, 1, 20],
        [11, 1, 20],
        [32, 1, der.length],
      ],
    );
    assert.match(new X509Certificate(c.der).subject, /CN=koff-doctor test root/);
  });

  it("reports a truncated element with its offset and the registry path", () => {
    const b = blob().subarray(0, blob().length - 1);
    assert.throws(
      () => decodeCertificateBlob(b, "HKLM\\X\\Blob"),
      (e: unknown) =>
        isErr("truncated", 12 + 20 + 12 + 20 + 12)(e) && (e as WindowsStateError).path === "HKLM\\X\\Blob",
    );
    assert.throws(() => decodeCertificateBlob(new Uint8Array([3, 0, 0, 0, 1])), isErr("truncated", 4));
  });

  it("rejects blobs without a certificate, with non-DER data, or too many properties", () => {
    assert.throws(
      () => decodeCertificateBlob(new Uint8Array(element(3, new Uint8Array(20)))),
      isErr("missing-element"),
    );
    assert.throws(
      () => decodeCertificateBlob(new Uint8Array(element(32, new Uint8Array([1, 2, 3])))),
      isErr("malformed", 12),
    );
    const many = Buffer.concat(Array.from({ length: 300 }, () => element(99, new Uint8Array(0))));
    assert.throws(() => decodeCertificateBlob(new Uint8Array(many)), isErr("too-large"));
  });
});

describe("readCertificateStores", () => {
  it("reads ROOT, AuthRoot, policy and enterprise stores and keeps going past a bad blob", async () => {
    const m = "HKLM\\SOFTWARE\\Microsoft\\SystemCertificates";
    const r = await readCertificateStores(
      new FakeRegistry({
        [`${m}\\ROOT\\Certificates\\${sha1}`]: { Blob: blob() },
        [`${m}\\AuthRoot\\Certificates\\0000000000000000000000000000000000000000`]: { Blob: blob() },
        [`${m}\\AuthRoot\\Certificates\\BAD`]: { Blob: new Uint8Array([1, 2, 3]) },
        [`HKLM\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\ROOT\\Certificates\\${sha1}`]: {
          Blob: blob(),
        },
        [`HKLM\\SOFTWARE\\Microsoft\\EnterpriseCertificates\\ROOT\\Certificates\\${sha1}`]: { Blob: blob() },
        [`${m}\\Disallowed\\Certificates\\NOBLOB`]: { Other: 1 },
      }),
    );
    assert.deepEqual(
      r.certificates.map((c) => [c.location, c.store, c.thumbprintMatchesKey]),
      [
        ["machine", "ROOT", true],
        ["machine", "AuthRoot", false],
        ["policy", "ROOT", true],
        ["enterprise", "ROOT", true],
      ],
    );
    assert.ok(r.certificates.every((c) => c.thumbprint === sha1));
    assert.deepEqual(
      r.errors.map((e) => [e.key.endsWith("\\BAD"), e.code]),
      [[true, "truncated"]],
    );
  });
  it("a blob whose DER frames but is no certificate is a bad blob, not a failure (fuzz regression)", async () => {
    // Found by the fuzz harness (bundle target): a mutated ROOT store certificate made the trust
    // store throw bad-certificate out of checkMachine. SEQUENCE { INTEGER 1 } frames as DER.
    const notACert = new Uint8Array(element(32, new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])));
    const m = "HKLM\\SOFTWARE\\Microsoft\\SystemCertificates";
    const r = await readCertificateStores(
      new FakeRegistry({
        [`${m}\\ROOT\\Certificates\\${sha1}`]: { Blob: blob() },
        [`${m}\\ROOT\\Certificates\\NOTACERT`]: { Blob: notACert },
      }),
    );
    assert.deepEqual(
      r.certificates.map((c) => c.thumbprint),
      [sha1],
    );
    assert.deepEqual(
      r.errors.map((e) => [e.key.endsWith("\\NOTACERT"), e.code]),
      [[true, "malformed"]],
    );
  });
});
