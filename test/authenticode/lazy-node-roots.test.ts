/**
 * Node's bundled roots are parsed only when a chain needs trust anchors: adding them costs
 * nothing for a run that meets no signature (most of a one-file triage's start-up before).
 */
import assert from "node:assert/strict";
import { rootCertificates } from "node:tls";
import { describe, it } from "node:test";
import { CertificateCache } from "../../src/authenticode/certificate-cache.js";
import { createTrustStore } from "../../src/authenticode/trust-store.js";

describe("trust store: Node's roots", () => {
  it("are counted when added and parsed on the first look at the anchors", () => {
    const cache = new CertificateCache();
    const store = createTrustStore({ nodeRoots: true, cache });
    assert.equal(cache.size, 0, "nothing parsed yet");
    const anchors = store.anchors();
    assert.ok(anchors.length > 100 && anchors.length <= rootCertificates.length, `${anchors.length}`);
    assert.equal(cache.size, anchors.length);
    assert.ok(anchors.every((a) => a.source === "node:tls.rootCertificates"));
    // Parsed once: a second look parses nothing more.
    store.anchors();
    assert.equal(cache.size, anchors.length);
  });

  it("are found by match() before anything else asked for them", () => {
    const cache = new CertificateCache();
    const reference = createTrustStore({ nodeRoots: true });
    const root = reference.anchors()[0]!.certificate;
    const store = createTrustStore({ nodeRoots: true, cache });
    assert.equal(store.match(root)?.certificate.sha256, root.sha256);
  });
});
