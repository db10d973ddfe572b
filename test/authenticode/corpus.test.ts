/**
 * The triage corpus (/work/shared/corpus, development split): every file's intended signature
 * bucket from truth.json, verified at "now" with pki/trust-anchors.pem plus Node's roots — the
 * setting the corpus README describes. Skips when the corpus is absent.
 *
 * Bucket → accepted states:
 * - valid-chain → valid. Exception: the Microsoft-signed shim (family real-efi-microsoft-signed):
 *   Microsoft's UEFI roots are not available offline (corpus README), so it can reach only
 *   "integrity valid, root untrusted": untrusted-root, with both WIN_CERTIFICATE signatures intact.
 * - expired → expired; self-signed → self-signed; unsigned → unsigned;
 * - invalid-or-tampered → invalid | malformed | not-yet-valid;
 * - n/a (not a PE) → parsePe throws its typed error, so there is nothing to verify.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import {
  createTrustStore,
  defaultPolicy,
  verifyAuthenticode,
  type AuthenticodeState,
} from "../../src/authenticode/index.js";
import { PeFormatError } from "../../src/pe/index.js";
import { corpusDir, loadPe, skipUnless, trustFile } from "./helpers.js";

interface TruthRecord {
  path: string;
  family: string;
  intended: { signature_bucket: string };
}

const truthPath = path.join(corpusDir, "truth.json");
const skip = skipUnless(truthPath, "corpus truth.json");
const truth = skip ? [] : (JSON.parse(readFileSync(truthPath, "utf8")) as { files: TruthRecord[] }).files;

const ACCEPTED: Record<string, readonly AuthenticodeState[]> = {
  "valid-chain": ["valid"],
  expired: ["expired"],
  "self-signed": ["self-signed"],
  unsigned: ["unsigned"],
  "invalid-or-tampered": ["invalid", "malformed", "not-yet-valid"],
};

describe("corpus truth.json: intended signature bucket", { skip }, () => {
  const trust = createTrustStore({
    nodeRoots: true,
    files: [trustFile(path.join(corpusDir, "pki", "trust-anchors.pem"))],
  });
  const policy = defaultPolicy(trust);
  for (const record of truth) {
    const bucket = record.intended.signature_bucket;
    it(`${record.path}: ${bucket}`, () => {
      const file = path.join(corpusDir, record.path);
      if (bucket === "n/a") {
        assert.throws(() => loadPe(file), PeFormatError);
        return;
      }
      const { bytes, pe } = loadPe(file);
      const result = verifyAuthenticode(bytes, pe, policy);
      const why = result.steps.map((s) => `${s.path ?? "-"} ${s.step}: ${s.outcome} ${s.detail}`).join("\n");
      if (record.family === "real-efi-microsoft-signed") {
        assert.equal(result.state, "untrusted-root", why);
        assert.equal(result.signatures.length, 2, "two WIN_CERTIFICATE entries");
        for (const signature of result.signatures) {
          assert.equal(signature.integrity.imageDigest, "pass");
          assert.equal(signature.integrity.cmsSignature, "pass");
          assert.equal(signature.integrity.messageDigest, "pass");
        }
        return;
      }
      const accepted = ACCEPTED[bucket];
      assert.ok(accepted, `unknown bucket ${bucket}`);
      assert.ok(
        accepted.includes(result.state),
        `${record.path}: got ${result.state}, want ${accepted.join("|")}\n${why}`,
      );
      if (record.family === "sig-junk-in-certtable") {
        assert.ok(
          result.anomalies.some((a) => a.code === "cert-entry-trailing-data"),
          "junk inside the table is flagged (CVE-2013-3900)",
        );
      }
      if (record.family === "sig-nested-mixed") {
        assert.equal(
          result.signatures.find((s) => s.path === "0.nested[0]")?.state,
          "expired",
          "the nested signature is reported",
        );
        assert.equal(
          verifyAuthenticode(bytes, pe, { ...policy, signatures: "all" }).state,
          "expired",
          "…and decides under 'all'",
        );
      }
    });
  }
});
