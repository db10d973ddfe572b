/**
 * Each pipeline step that can fail, exercised by changing one thing in a validly signed fixture
 * (fixtures/pe/signed-valid-sha256-x64.dll, built by fixtures/build-pe.sh) and checking that
 * exactly that step fails and the state follows the documented rule. Also the time and trust
 * axes (not-yet-valid/expired by verification time, anchor by hash only) and the
 * timestamp-rescue path. Skips when the fixtures are absent.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import {
  createTrustStore,
  defaultPolicy,
  TrustStore,
  verifyAuthenticode,
  type AuthenticodeResult,
} from "../../src/authenticode/index.js";
import { parseContentInfoNode, parseContentInfoSignedData } from "../../src/authenticode/signed-data.js";
import { OID_MS_RFC3161_TIMESTAMP } from "../../src/authenticode/oids.js";
import type { PeImage } from "../../src/pe/types.js";
import { fixturesPeDir, fixturesPkiDir, loadPe, skipUnless, trustFile } from "./helpers.js";

const VALID = path.join(fixturesPeDir, "signed-valid-sha256-x64.dll");
const skip = skipUnless(VALID, "fixtures/pe/signed-valid-sha256-x64.dll");
const AT = new Date("2026-11-21T00:00:00Z");

function stepOutcome(result: AuthenticodeResult, step: string): string | undefined {
  return result.signatures[0]?.steps.find((s) => s.step === step)?.outcome;
}

/** Offset of `needle` inside the certificate table of `pe`. */
function findInTable(bytes: Uint8Array, pe: PeImage, needle: Uint8Array): number {
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(
    Buffer.from(needle),
    pe.certificateTable!.offset,
  );
  assert.ok(at > 0, "needle found in the certificate table");
  return at;
}

function flip(bytes: Uint8Array, offset: number, mask = 0x01): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[offset] = copy[offset]! ^ mask;
  return copy;
}

describe("verification steps on a mutated valid signature", { skip }, () => {
  const trust = skip
    ? new TrustStore()
    : createTrustStore({ files: [trustFile(path.join(fixturesPkiDir, "trust-anchors.pem"))] });
  const policy = defaultPolicy(trust, { at: AT });
  const { bytes, pe } = skip
    ? { bytes: new Uint8Array(), pe: undefined as unknown as PeImage }
    : loadPe(VALID);
  const verify = (data: Uint8Array, p = policy): AuthenticodeResult => verifyAuthenticode(data, pe, p);
  const baseline = skip ? undefined : verify(bytes);
  /** The primary SignedData, decoded from the file buffer itself (subarrays share its memory). */
  const signedData = (data: Uint8Array) => {
    const entry = data.subarray(
      pe.certificateTable!.offset + 8,
      pe.certificateTable!.offset + pe.certificateTable!.size,
    );
    return parseContentInfoSignedData(entry, { base: entry, fileOffset: pe.certificateTable!.offset + 8 });
  };

  it("baseline: valid, every step passes", () => {
    assert.equal(baseline!.state, "valid");
    for (const step of [
      "digest-algorithms",
      "image-digest",
      "message-digest",
      "cms-signature",
      "chain",
      "eku",
      "validity",
    ]) {
      assert.equal(stepOutcome(baseline!, step), "pass", step);
    }
  });

  it("image digest mismatch: a hashed byte changed → invalid, only image-digest fails", () => {
    const result = verify(flip(bytes, pe.sections[0]!.pointerToRawData + 0x10));
    assert.equal(result.state, "invalid");
    assert.equal(stepOutcome(result, "image-digest"), "fail");
    assert.equal(stepOutcome(result, "message-digest"), "pass");
    assert.equal(stepOutcome(result, "cms-signature"), "pass");
    assert.notEqual(
      result.signatures[0]!.integrity.computedDigest,
      result.signatures[0]!.integrity.signedDigest,
    );
  });

  it("messageDigest mismatch: the digest inside SpcIndirectDataContent changed → image-digest and message-digest fail, signature still verifies", () => {
    const at = findInTable(bytes, pe, Buffer.from(baseline!.signatures[0]!.integrity.signedDigest!, "hex"));
    const result = verify(flip(bytes, at + 5));
    assert.equal(result.state, "invalid");
    assert.equal(stepOutcome(result, "image-digest"), "fail");
    assert.equal(stepOutcome(result, "message-digest"), "fail");
    assert.equal(stepOutcome(result, "cms-signature"), "pass");
  });

  it("signature mismatch: one byte of SignerInfo.signature changed → only cms-signature fails", () => {
    const signature = signedData(bytes).signerInfos[0]!.signature;
    const result = verify(flip(bytes, signature.byteOffset - bytes.byteOffset + 10));
    assert.equal(result.state, "invalid");
    assert.equal(stepOutcome(result, "image-digest"), "pass");
    assert.equal(stepOutcome(result, "message-digest"), "pass");
    assert.equal(stepOutcome(result, "cms-signature"), "fail");
    assert.match(result.signatures[0]!.reason, /CMS signature/);
  });

  it("inconsistent algorithms: SignedData.digestAlgorithms says SHA-384 → digest-algorithms fails", () => {
    const sha256Oid = Uint8Array.of(0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01);
    const at = findInTable(bytes, pe, sha256Oid); // the first one is SignedData.digestAlgorithms
    const copy = Uint8Array.from(bytes);
    copy[at + 10] = 0x02; // id-sha384
    const result = verify(copy);
    assert.equal(result.state, "invalid");
    assert.equal(result.signatures[0]!.integrity.algorithmsConsistent, false);
    assert.equal(stepOutcome(result, "digest-algorithms"), "fail");
    assert.equal(stepOutcome(result, "image-digest"), "pass", "the image digest itself is fine");
  });

  it("undecodable CMS → malformed, never a throw", () => {
    const copy = Uint8Array.from(bytes);
    copy[pe.certificateTable!.offset + 8 + 1] = 0x84; // ContentInfo length now claims 4 length octets
    copy.fill(0xff, pe.certificateTable!.offset + 8 + 2, pe.certificateTable!.offset + 8 + 6);
    const result = verify(copy);
    assert.equal(result.state, "malformed");
    assert.equal(result.signatures[0]!.state, "malformed");
  });

  it("time axis: before the leaf's notBefore → not-yet-valid; after notAfter → expired", () => {
    const validity = baseline!.signatures[0]!.time.leafValidity!;
    const before = verify(
      bytes,
      defaultPolicy(trust, { at: new Date(Date.parse(validity.notBefore) - 86_400_000) }),
    );
    assert.equal(before.state, "not-yet-valid");
    const after = verify(
      bytes,
      defaultPolicy(trust, { at: new Date(Date.parse(validity.notAfter) + 86_400_000) }),
    );
    assert.equal(after.state, "expired");
  });

  it("trust axis: no anchors → untrusted-root; the leaf itself as anchor → valid (matched by hash)", () => {
    assert.equal(verify(bytes, defaultPolicy(new TrustStore(), { at: AT })).state, "untrusted-root");
    const leafOnly = new TrustStore();
    leafOnly.addPem(readFileSync(path.join(fixturesPkiDir, "leaf-valid.pem"), "latin1"), "test");
    const result = verify(bytes, defaultPolicy(leafOnly, { at: AT }));
    assert.equal(result.state, "valid");
    assert.equal(result.signatures[0]!.trust.chain.length, 1);
  });

  it("an anchor with the same subject name but another key does not anchor the chain", () => {
    // The impostor fixture's self-signed certificate copies the real leaf's subject DN.
    const spoof = new TrustStore();
    spoof.addPem(readFileSync(path.join(fixturesPkiDir, "impostor-self-signed.pem"), "latin1"), "test");
    const result = verify(bytes, defaultPolicy(spoof, { at: AT }));
    assert.equal(result.state, "untrusted-root");
    assert.equal(result.signatures[0]!.trust.anchor, undefined);
  });

  it("timestamp: a valid RFC 3161 token rescues an expired leaf; a broken token does not", () => {
    const file = path.join(fixturesPeDir, "signed-expired-timestamped-x64.dll");
    const stamped = loadPe(file);
    const ok = verifyAuthenticode(stamped.bytes, stamped.pe, policy);
    assert.equal(ok.state, "valid");
    assert.equal(ok.signatures[0]!.time.verifiedAtSource, "timestamp");
    const entry = stamped.bytes.subarray(stamped.pe.certificateTable!.offset + 8);
    const origin = { base: entry, fileOffset: stamped.pe.certificateTable!.offset + 8 };
    const sd = parseContentInfoSignedData(entry, origin);
    const token = sd.signerInfos[0]!.unsignedAttrs.find((a) => a.oid === OID_MS_RFC3161_TIMESTAMP)!
      .values[0]!;
    const tsaSignature = parseContentInfoNode(token, origin).signerInfos[0]!.signature;
    const broken = flip(stamped.bytes, tsaSignature.byteOffset - stamped.bytes.byteOffset + 7);
    const result = verifyAuthenticode(broken, stamped.pe, policy);
    assert.equal(result.signatures[0]!.time.timestamp?.valid, false);
    assert.equal(result.signatures[0]!.time.verifiedAtSource, "policy");
    assert.equal(result.state, "expired");
    assert.equal(result.signatures[0]!.integrity.cmsSignature, "pass", "the outer signature is untouched");
  });

  it("timestamp from an unanchored TSA: not needed while the chain is valid now; caps the state when it is needed", () => {
    // Anchor only the code-signing CA: the signer chain is anchored, the TSA (under the root) is not.
    const caOnly = new TrustStore();
    caOnly.addPem(readFileSync(path.join(fixturesPkiDir, "code-signing-ca.pem"), "latin1"), "test");
    const caPolicy = defaultPolicy(caOnly, { at: AT });
    const fresh = loadPe(path.join(fixturesPeDir, "signed-valid-timestamped-x64.dll"));
    const now = verifyAuthenticode(fresh.bytes, fresh.pe, caPolicy);
    assert.equal(now.state, "valid");
    assert.equal(now.signatures[0]!.time.verifiedAtSource, "policy");
    assert.equal(now.signatures[0]!.time.timestamp?.trusted, false);
    // The expired leaf needs the timestamp, whose TSA we cannot anchor: back-dating by a private
    // TSA must not give `valid`.
    const old = loadPe(path.join(fixturesPeDir, "signed-expired-timestamped-x64.dll"));
    const needed = verifyAuthenticode(old.bytes, old.pe, caPolicy);
    assert.equal(needed.signatures[0]!.time.verifiedAtSource, "timestamp");
    assert.equal(needed.state, "untrusted-root");
  });

  it("page hashes: a changed byte in a section fails both the image digest and the page hashes", () => {
    const file = path.join(fixturesPeDir, "signed-valid-pagehash-x64.dll");
    const paged = loadPe(file);
    const clean = verifyAuthenticode(paged.bytes, paged.pe, policy);
    assert.equal(clean.signatures[0]!.integrity.pageHashes, "pass");
    const section = paged.pe.sections.find((s) => s.sizeOfRawData > 0x100)!;
    const result = verifyAuthenticode(flip(paged.bytes, section.pointerToRawData + 0x80), paged.pe, policy);
    assert.equal(result.signatures[0]!.integrity.pageHashes, "fail");
    assert.equal(result.signatures[0]!.integrity.imageDigest, "fail");
    assert.equal(result.state, "invalid");
  });

  it("strict mode changes nothing for a leaf that has codeSigning EKU and digitalSignature", () => {
    assert.equal(verify(bytes, defaultPolicy(trust, { at: AT, strict: true })).state, "valid");
  });

  it("steps carry the signature path and the file-level rule", () => {
    assert.equal(baseline!.rule, "primary");
    assert.equal(baseline!.decidedBy, "0");
    assert.ok(baseline!.steps.some((s) => s.step === "file-state"));
    assert.ok(baseline!.steps.filter((s) => s.path !== undefined).every((s) => s.path === "0"));
  });
});
