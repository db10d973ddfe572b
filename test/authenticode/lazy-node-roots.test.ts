/**
 * Node's bundled roots are parsed only when a chain needs trust anchors: adding them costs
 * nothing for a run that meets no signature (most of a one-file triage's start-up before).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { rootCertificates } from "node:tls";
import { describe, it } from "node:test";
import { CertificateCache } from "../../src/authenticode/certificate-cache.js";
import { buildChain } from "../../src/authenticode/chain.js";
import { defaultPolicy, verifyAuthenticode } from "../../src/authenticode/index.js";
import { createTrustStore, NODE_ROOTS_SOURCE, pemCertificates } from "../../src/authenticode/trust-store.js";
import { fixturesPeDir, fixturesPkiDir, hasTool, loadPe, repoRoot, trustFile } from "./helpers.js";

const firstNodeRootDer = (): Uint8Array => pemCertificates(rootCertificates[0]!)[0]!;

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

  it("stay unparsed when a chain ends at another anchor (an image's or --trust root)", () => {
    const manifest = JSON.parse(readFileSync(path.join(fixturesPeDir, "manifest.json"), "utf8")) as {
      verificationTime: string;
    };
    const cache = new CertificateCache();
    const trust = createTrustStore({
      nodeRoots: true,
      files: [trustFile(path.join(fixturesPkiDir, "trust-anchors.pem"))],
      cache,
    });
    const policy = defaultPolicy(trust, { at: new Date(manifest.verificationTime) });
    const { bytes, pe } = loadPe(path.join(fixturesPeDir, "signed-valid-timestamped-x64.dll"));
    const result = verifyAuthenticode(bytes, pe, policy);
    assert.equal(result.state, "valid");
    assert.equal(trust.nodeRootsPending, true, "Node's roots were not parsed");
    assert.ok(cache.size < 20, `${cache.size} certificates parsed`);
  });

  it("still anchor a chain that needs one of them, after the other anchors failed", () => {
    const cache = new CertificateCache();
    const trust = createTrustStore({
      nodeRoots: true,
      files: [trustFile(path.join(fixturesPkiDir, "trust-anchors.pem"))],
      cache,
    });
    const root = cache.get(firstNodeRootDer());
    const chain = buildChain(root, [], trust, cache);
    assert.equal(chain.anchor?.source, NODE_ROOTS_SOURCE);
    assert.equal(chain.anchor?.certificate.sha256, root.sha256);
    assert.equal(trust.nodeRootsPending, false);
  });

  it("keep their source and their place first when an image's store holds one too", () => {
    const der = firstNodeRootDer();
    const eager = createTrustStore({ nodeRoots: true });
    const eagerOrder = eager.anchors().map((a) => a.certificate.sha256);
    const lazy = createTrustStore({ nodeRoots: true, der: [{ der, source: "image:ROOT" }] });
    const certificate = new CertificateCache().get(der);
    assert.equal(lazy.match(certificate, "parsed")?.source, NODE_ROOTS_SOURCE, "before parsing");
    assert.equal(lazy.nodeRootsPending, true);
    const anchors = lazy.anchors();
    assert.deepEqual(
      anchors.map((a) => a.certificate.sha256),
      eagerOrder,
    );
    assert.ok(anchors.every((a) => a.source === NODE_ROOTS_SOURCE));
  });

  it("load node:tls only when first needed", () => {
    // process.moduleLoadList (Node's list of loaded built-ins) is read in a fresh process.
    const script = `
      const { createTrustStore } = await import(${JSON.stringify(path.join(repoRoot, "dist/src/authenticode/trust-store.js"))});
      const loaded = () => process.moduleLoadList.includes("NativeModule tls");
      const store = createTrustStore({ nodeRoots: true });
      const before = loaded();
      store.anchors();
      console.log(JSON.stringify({ before, after: loaded() }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    assert.deepEqual(JSON.parse(out), { before: false, after: true });
  });

  it("give the same anchor whether or not they were parsed before (a path they could shorten)", (t) => {
    if (!hasTool("openssl")) return t.skip("openssl is not installed (apt-get install openssl); skipping");
    // A certificate carrying a Node root's public key, issued by another anchor: parsed first,
    // Node's roots match it by its key (as they did before they were loaded on demand); searched
    // without them, the other anchor completed the path and the answer depended on whether an
    // earlier file of the run had made them parsed.
    const work = mkdtempSync(path.join(tmpdir(), "koff-node-root-key-"));
    try {
      const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: work, stdio: "pipe" });
      const nodeRoot = new CertificateCache().get(firstNodeRootDer());
      writeFileSync(
        path.join(work, "node-root.pub"),
        nodeRoot.x509.publicKey.export({ type: "spki", format: "pem" }),
      );
      openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        "/CN=Review Other Root",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "3650",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
      );
      openssl(
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        "/CN=Review Same Key",
        "-keyout",
        "x.key",
        "-out",
        "x.csr",
      );
      openssl(
        "x509",
        "-req",
        "-in",
        "x.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-force_pubkey",
        "node-root.pub",
        "-days",
        "365",
        "-out",
        "x.pem",
      );
      const anchorPem = readFileSync(path.join(work, "ca.pem"), "utf8");
      const leafDer = pemCertificates(readFileSync(path.join(work, "x.pem"), "utf8"))[0]!;
      const chainOf = (parseFirst: boolean) => {
        const cache = new CertificateCache();
        const trust = createTrustStore({ nodeRoots: true, cache });
        trust.addPem(anchorPem, "file:other-root.pem");
        if (parseFirst) trust.anchors();
        const chain = buildChain(cache.get(leafDer), [], trust, cache);
        return {
          source: chain.anchor?.source,
          anchor: chain.anchor?.certificate.sha256,
          length: chain.certificates.length,
        };
      };
      const parsedFirst = chainOf(true);
      assert.equal(parsedFirst.source, NODE_ROOTS_SOURCE);
      assert.deepEqual(chainOf(false), parsedFirst);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
