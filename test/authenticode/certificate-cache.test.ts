/**
 * CertificateCache: what a cached certificate keeps alive. A certificate's DER usually arrives as
 * a view into the whole signed file; the cache must hold a copy, or a run over many files signed
 * by different certificates keeps every such file's bytes for the rest of the run.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { CertificateCache } from "../../src/authenticode/certificate-cache.js";
import { pemCertificates } from "../../src/authenticode/trust-store.js";
import { fixturesPkiDir } from "./helpers.js";

describe("CertificateCache", () => {
  const der = pemCertificates(readFileSync(path.join(fixturesPkiDir, "exe-signing.pem"), "utf8"))[0]!;

  it("keeps a copy of the DER, not the file it was a view into", () => {
    const file = new Uint8Array(1 << 20); // stands for the signed file the certificate sits in
    file.set(der, 4096);
    const view = file.subarray(4096, 4096 + der.length);
    const info = new CertificateCache().get(view);
    assert.deepEqual(Buffer.from(info.der), Buffer.from(der));
    assert.notEqual(info.der.buffer, file.buffer, "the cached DER shares the whole file's buffer");
    assert.equal(info.der.buffer.byteLength, der.length);
    file.fill(0);
    assert.deepEqual(Buffer.from(info.der), Buffer.from(der), "the cached DER changed with the file");
  });

  it("returns the same entry for the same certificate, wherever its bytes sit", () => {
    const cache = new CertificateCache();
    const first = cache.get(Uint8Array.from(der));
    const padded = new Uint8Array(der.length + 8);
    padded.set(der, 8);
    assert.equal(cache.get(padded.subarray(8)), first);
    assert.equal(cache.size, 1);
  });
});
