/**
 * Issue 10, "Trust under attack: no false clean": every file of fixtures/authenticode-rules
 * (built by fixtures/build-authenticode-rules.sh from its own test PKI) against its manifest
 * record - the file state under the primary rule and under `all`, the level of the triage
 * "signature" indicator, and the evidence: the `--explain` step that names the broken RFC 5280
 * rule, the certificate's position in the chain and its subject. Then the rules one by one:
 * TSA chains, future RFC 3161 and PKCS#9 times, MD5 and SHA-1, nested signatures, and anchors
 * that are v1 certificates.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import {
  createTrustStore,
  defaultPolicy,
  verifyAuthenticode,
  type AuthenticodeResult,
  type SignatureSelection,
} from "../../src/authenticode/index.js";
import { summarizeAuthenticode } from "../../src/app/signature-verifier.js";
import { signatureIndicator } from "../../src/triage/indicators/signature.js";
import type { TriageSubject } from "../../src/triage/subject.js";
import { loadPe, repoRoot, trustFile } from "./helpers.js";

interface RulesRecord {
  file: string;
  signatureState: string;
  signatureStateAll: string;
  triageLevel: string;
  pathRule?: "basic-constraints" | "path-length" | "key-usage" | "validity";
  pathPosition?: number;
  note: string;
}

const dir = path.join(repoRoot, "fixtures", "authenticode-rules");
const manifestPath = path.join(dir, "manifest.json");
const skip = existsSync(manifestPath)
  ? false
  : `fixtures/authenticode-rules/manifest.json not found at ${manifestPath}; run fixtures/build-authenticode-rules.sh`;
const manifest = skip
  ? { verificationTime: "2026-06-01T00:00:00Z", files: [] as RulesRecord[] }
  : (JSON.parse(readFileSync(manifestPath, "utf8")) as { verificationTime: string; files: RulesRecord[] });
const at = new Date(manifest.verificationTime);
const anchors = path.join(dir, "pki", "trust-anchors.pem");

function verify(
  file: string,
  signatures: SignatureSelection = "primary",
  options: { at?: Date; trust?: string[] } = {},
): AuthenticodeResult {
  const { bytes, pe } = loadPe(path.join(dir, file));
  const trust = createTrustStore({ files: (options.trust ?? [anchors]).map(trustFile) });
  return verifyAuthenticode(bytes, pe, defaultPolicy(trust, { at: options.at ?? at, signatures }));
}

function explain(result: AuthenticodeResult): string {
  return result.steps.map((s) => `${s.path ?? "-"} ${s.step}:${s.outcome}:${s.detail}`).join("\n");
}

function indicator(result: AuthenticodeResult): ReturnType<typeof signatureIndicator> {
  return signatureIndicator({ signature: summarizeAuthenticode(result) } as TriageSubject);
}

describe("fixtures/authenticode-rules manifest: state, triage level and the named rule", { skip }, () => {
  it("covers every rule of the issue", () => {
    const rules = new Set(manifest.files.map((r) => r.pathRule).filter(Boolean));
    assert.deepEqual([...rules].sort(), ["basic-constraints", "key-usage", "path-length", "validity"]);
    const states = new Set(manifest.files.flatMap((r) => [r.signatureState, r.signatureStateAll]));
    for (const state of ["valid", "invalid", "expired", "weak-digest"]) assert.ok(states.has(state), state);
  });

  for (const record of manifest.files) {
    it(`${record.file}: ${record.signatureState} (primary), ${record.signatureStateAll} (all), triage ${record.triageLevel}`, () => {
      const primary = verify(record.file);
      const all = verify(record.file, "all");
      assert.equal(primary.state, record.signatureState, explain(primary));
      assert.equal(all.state, record.signatureStateAll, explain(all));
      const level = indicator(primary);
      assert.equal(level.level, record.triageLevel, level.evidence);
      if (record.signatureState !== "valid") {
        const decided = primary.signatures.find((s) => s.path === primary.decidedBy)!;
        assert.ok(level.evidence.includes(decided.reason), `evidence carries the reason: ${level.evidence}`);
      }
      if (record.pathRule !== undefined) {
        const position = record.pathPosition!;
        const failing = all.steps.find(
          (s) =>
            s.outcome === "fail" &&
            (s.step === "path-validation" || s.step === "validity") &&
            s.detail.startsWith(`${record.pathRule}: chain[${position}] "`),
        );
        assert.ok(failing, `a failing step names ${record.pathRule} and chain[${position}]\n${explain(all)}`);
        const signature = all.signatures.find((s) => s.path === failing.path)!;
        const subject = signature.trust.chain[position]!.subject;
        assert.ok(failing.detail.includes(`"${subject}"`), `the step names the subject ${subject}`);
        if (record.pathRule !== "validity") {
          assert.equal(signature.state, "invalid");
          assert.ok(
            signature.reason.includes(`${record.pathRule}: chain[${position}] "${subject}"`),
            signature.reason,
          );
        }
      }
    });
  }
});

describe("authenticode rules, one by one", { skip }, () => {
  it("an end entity (cA=FALSE) used as an issuer is linked by its signature, then refused by basic-constraints", () => {
    const result = verify("bc-end-entity-issuer-x64.dll");
    const signature = result.signatures[0]!;
    assert.equal(signature.trust.chainComplete, true);
    assert.equal(
      signature.trust.anchor?.subject,
      "C=CZ, O=koff-doctor Rules Test PKI, CN=Rules Test Root CA",
    );
    assert.match(signature.reason, /cA=FALSE/);
  });

  it("a v1 certificate is fine as the trust anchor itself (old roots), not as an intermediate", () => {
    assert.equal(verify("bc-v1-issuer-x64.dll").state, "invalid");
    const anchoredAtV1 = verify("bc-v1-issuer-x64.dll", "primary", {
      trust: [path.join(dir, "pki", "v1-ca.pem")],
    });
    assert.equal(anchoredAtV1.state, "valid", explain(anchoredAtV1));
    assert.equal(anchoredAtV1.signatures[0]!.trust.chain.length, 2);
  });

  it("an expired intermediate is judged at a valid timestamp's time, and at --at without one", () => {
    const stamped = verify("expired-intermediate-timestamped-x64.dll");
    assert.equal(stamped.signatures[0]!.time.verifiedAtSource, "timestamp");
    assert.equal(stamped.signatures[0]!.time.verifiedAt, "2014-06-01T00:00:00.000Z");
    // The same timestamp seen from before its genTime is from the future: not evidence.
    const before = verify("expired-intermediate-timestamped-x64.dll", "primary", {
      at: new Date("2014-05-01T00:00:00Z"),
    });
    assert.equal(before.signatures[0]!.time.verifiedAtSource, "policy");
    assert.equal(before.signatures[0]!.time.timestamp?.valid, false);
    assert.equal(before.state, "valid", explain(before)); // every certificate is valid in May 2014 too
    const unstamped = verify("expired-intermediate-x64.dll");
    assert.match(
      unstamped.signatures[0]!.reason,
      /chain\[1\] ".*Rules Expired Intermediate" is expired at 2026-06-01/,
    );
  });

  it("an RFC 3161 genTime after --at is not evidence: the step says so and the chain is judged at --at", () => {
    for (const [file, state] of [
      ["timestamp-future-x64.dll", "invalid"],
      ["timestamp-future-leaf-valid-x64.dll", "valid"],
    ] as const) {
      const result = verify(file);
      const signature = result.signatures[0]!;
      assert.equal(result.state, state, explain(result));
      assert.equal(signature.time.verifiedAtSource, "policy");
      assert.equal(signature.time.verifiedAt, "2026-06-01T00:00:00.000Z");
      assert.equal(signature.time.timestamp?.kind, "rfc3161");
      assert.equal(signature.time.timestamp?.valid, false);
      assert.ok(
        signature.time.timestamp?.problems.some((p) =>
          p.startsWith("TSTInfo.genTime 2030-01-01T00:00:00.000Z is later than the verification time"),
        ),
      );
      assert.ok(
        result.steps.some(
          (s) =>
            s.step === "timestamp" &&
            s.outcome === "fail" &&
            /later than the verification time/.test(s.detail),
        ),
      );
    }
    // Seen from 2031 the same token is ordinary evidence and the 2028 leaf is valid at 2030.
    const later = verify("timestamp-future-x64.dll", "primary", { at: new Date("2031-01-01T00:00:00Z") });
    assert.equal(later.state, "valid", explain(later));
    assert.equal(later.signatures[0]!.time.verifiedAtSource, "timestamp");
  });

  it("a PKCS#9 countersignature signingTime after --at is not evidence either", () => {
    const result = verify("countersignature-future-x64.dll");
    const timestamp = result.signatures[0]!.time.timestamp!;
    assert.equal(result.state, "invalid");
    assert.equal(timestamp.kind, "pkcs9");
    assert.ok(timestamp.problems.some((p) => p.startsWith("countersignature signingTime 2030-01-01")));
    assert.match(result.signatures[0]!.reason, /not yet valid at 2026-06-01.*2030-01-01.*not evidence/);
    const control = verify("countersignature-valid-x64.dll");
    assert.equal(control.signatures[0]!.time.timestamp?.kind, "pkcs9");
    assert.equal(control.signatures[0]!.time.verifiedAtSource, "timestamp");
  });

  it("the TSA's own chain is path-validated: a TSA issued by an end entity gives no timestamp", () => {
    const result = verify("tsa-chain-end-entity-issuer-x64.dll");
    const timestamp = result.signatures[0]!.time.timestamp!;
    assert.equal(result.state, "expired");
    assert.equal(timestamp.valid, false);
    assert.ok(
      timestamp.problems.some((p) =>
        /TSA chain breaks RFC 5280 path validation: basic-constraints: chain\[1\] ".*Rules End Entity Used As Issuer"/.test(
          p,
        ),
      ),
      timestamp.problems.join("\n"),
    );
  });

  it("MD5 digests are weak-digest (suspicious) and the evidence names MD5; SHA-1 stays valid with a warning", () => {
    const md5 = verify("md5-digest-x64.dll");
    assert.equal(md5.state, "weak-digest");
    assert.match(md5.signatures[0]!.reason, /MD5 file digest.*MD5 signer digest/);
    const evidence = indicator(md5);
    assert.equal(evidence.level, "suspicious");
    assert.match(evidence.evidence, /MD5/);
    assert.ok(
      md5.steps.some((s) => s.step === "weak-digest" && s.outcome === "fail" && /2862973/.test(s.detail)),
    );
    const certificate = verify("md5-certificate-signature-x64.dll");
    assert.match(
      certificate.signatures[0]!.reason,
      /MD5 certificate signature on chain\[1\] ".*Rules CA Signed With MD5"/,
    );
    // MD5 in the SignerInfo alone (file digest SHA-256): the signature itself verifies, but one
    // digest algorithm everywhere is required, so it is invalid - and the MD5 is still named.
    const signerOnly = verify("md5-signer-digest-only-x64.dll");
    assert.equal(signerOnly.state, "invalid");
    assert.equal(signerOnly.signatures[0]!.integrity.cmsSignature, "pass");
    assert.equal(signerOnly.signatures[0]!.integrity.messageDigest, "pass");
    assert.match(signerOnly.signatures[0]!.reason, /SignerInfo md5/);
    assert.ok(
      signerOnly.steps.some(
        (s) =>
          s.step === "weak-digest" && /^MD5 signer digest \(SignerInfo\.digestAlgorithm\)/.test(s.detail),
      ),
    );
    const sha1 = verify("sha1-digest-x64.dll");
    assert.equal(sha1.state, "valid");
    assert.equal(indicator(sha1).level, "ok");
    assert.ok(
      sha1.steps.some(
        (s) => s.step === "digest-algorithms" && s.outcome === "warn" && /SHA-1/.test(s.detail),
      ),
    );
  });

  it("nested signatures get the same rules: the primary decides by default, `all` sees the nested break", () => {
    const all = verify("nested-pathlen-violation-x64.dll", "all");
    assert.equal(all.decidedBy, "0.nested[0]");
    assert.ok(
      all.steps.some((s) => s.path === "0.nested[0]" && s.step === "path-validation" && s.outcome === "fail"),
    );
    const md5 = verify("nested-md5-x64.dll", "all");
    assert.equal(md5.signatures[1]!.state, "weak-digest");
    assert.equal(md5.state, "weak-digest");
  });
});
