/**
 * Every signed/unsigned fixture in fixtures/pe/ against its manifest record: signatureState and
 * integrity (digest match/mismatch) at the manifest's pinned verification time, trusting only
 * fixtures/pki/trust-anchors.pem. The manifest is built with osslsigncode agreement checks by
 * fixtures/build-pe.sh; this test reads it rather than hard-coding states. One reading is ours:
 * a manifest "valid" for an MD5-signed fixture (tag "md5") is `weak-digest` here, because MD5
 * evidence makes the signature weak-digest (docs/authenticode.md "Weak digests"); osslsigncode,
 * which the manifest follows, has no such state.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { createTrustStore, defaultPolicy, verifyAuthenticode } from "../../src/authenticode/index.js";
import { fixturesPeDir, fixturesPkiDir, loadPe, skipUnless, trustFile } from "./helpers.js";

interface ManifestRecord {
  file: string;
  signatureState: string;
  integrity: "match" | "mismatch" | "n/a";
  tags: string[];
}

const manifestPath = path.join(fixturesPeDir, "manifest.json");
const skip = skipUnless(manifestPath, "fixtures/pe/manifest.json");
const manifest = skip
  ? undefined
  : (JSON.parse(readFileSync(manifestPath, "utf8")) as { verificationTime: string; files: ManifestRecord[] });

describe("fixtures/pe manifest: signature state and integrity", { skip }, () => {
  const trust = createTrustStore({ files: [trustFile(path.join(fixturesPkiDir, "trust-anchors.pem"))] });
  const policy = defaultPolicy(trust, { at: new Date(manifest?.verificationTime ?? 0) });
  for (const record of manifest?.files ?? []) {
    const file = path.join(fixturesPeDir, record.file);
    const expected =
      record.tags.includes("md5") && record.signatureState === "valid"
        ? "weak-digest"
        : record.signatureState;
    it(
      `${record.file} is ${expected}`,
      { skip: existsSync(file) ? false : "not built (uncommitted)" },
      () => {
        const { bytes, pe } = loadPe(file);
        const result = verifyAuthenticode(bytes, pe, policy);
        assert.equal(
          result.state,
          expected,
          result.steps.map((s) => `${s.step}:${s.outcome}:${s.detail}`).join("\n"),
        );
        if (record.integrity !== "n/a") {
          const primary = result.signatures[0];
          assert.ok(primary, "a primary signature");
          assert.equal(primary.integrity.imageDigest, record.integrity === "match" ? "pass" : "fail");
        }
        if (record.tags.includes("cert-table-anomaly") && record.signatureState === "valid") {
          // Junk or non-zero padding inside the table, unaligned dwLength: valid but never silently so.
          assert.ok(result.anomalies.length > 0, "a certificate-table anomaly is reported");
        }
        if (record.tags.includes("unauthenticated-attribute")) {
          assert.ok(result.anomalies.some((a) => a.code === "unauthenticated-attribute-blob"));
        }
      },
    );
  }
});
