/**
 * fixtures/authenticode-rules against a live `osslsigncode verify` (2.9, OpenSSL 3): for each
 * file and each signature (primary first, then nested ones, in both tools' order), osslsigncode's
 * "Signature verification: ok|failed" must match our state being `valid` or not, at the
 * manifest's verification time (-time) with the rules PKI root as -CAfile and -TSA-CAfile.
 * osslsigncode's exit code follows the primary signature only (a failed nested signature still
 * exits 0), so it is compared with our primary-rule state.
 *
 * Where we deliberately differ (also recorded in manifest.json `deliberateDifference` and
 * docs/authenticode.md "Where we differ"), osslsigncode says ok and we do not:
 * - timestamp-future / countersignature-future: osslsigncode judges the chain at the stamped
 *   time even when it is later than -time; a time from the future is not evidence to us;
 * - md5-digest / nested-md5 / md5-certificate-signature: osslsigncode accepts MD5; we rate MD5
 *   evidence `weak-digest` (Microsoft Security Advisory 2862973).
 * Everything else, the RFC 5280 path rules included, must agree. Skips without osslsigncode.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { createTrustStore, defaultPolicy, verifyAuthenticode } from "../../src/authenticode/index.js";
import { hasTool, loadPe, repoRoot, trustFile } from "./helpers.js";

const dir = path.join(repoRoot, "fixtures", "authenticode-rules");
const manifestPath = path.join(dir, "manifest.json");
const skip = !hasTool("osslsigncode")
  ? "osslsigncode is not installed (apt install osslsigncode); skipping"
  : existsSync(manifestPath)
    ? false
    : `fixtures/authenticode-rules/manifest.json not found at ${manifestPath}; skipping`;

/** Files where osslsigncode says ok and we do not, on purpose (see the header). */
const DELIBERATE = new Set([
  "timestamp-future-x64.dll",
  "countersignature-future-x64.dll",
  "md5-digest-x64.dll",
  "nested-md5-x64.dll",
  "md5-certificate-signature-x64.dll",
]);

interface Record_ {
  file: string;
  deliberateDifference?: string;
}

describe("fixtures/authenticode-rules vs osslsigncode verify", { skip }, () => {
  const manifest = skip
    ? { verificationTime: "1970-01-01T00:00:00Z", files: [] as Record_[] }
    : (JSON.parse(readFileSync(manifestPath, "utf8")) as { verificationTime: string; files: Record_[] });
  const at = new Date(manifest.verificationTime);
  const anchors = path.join(dir, "pki", "trust-anchors.pem");
  const trust = createTrustStore({ files: [trustFile(anchors)] });

  it("the manifest documents exactly the deliberate differences this test knows", () => {
    const documented = manifest.files.filter((r) => r.deliberateDifference).map((r) => r.file);
    assert.deepEqual(documented.sort(), [...DELIBERATE].sort());
  });

  for (const record of manifest.files) {
    it(`${record.file}: osslsigncode ${DELIBERATE.has(record.file) ? "differs as documented" : "agrees"}`, () => {
      const file = path.join(dir, record.file);
      const run = spawnSync(
        "osslsigncode",
        [
          "verify",
          "-CAfile",
          anchors,
          "-TSA-CAfile",
          anchors,
          "-time",
          String(at.getTime() / 1000),
          "-in",
          file,
        ],
        { encoding: "utf8", timeout: 30_000 },
      );
      const output = `${run.stdout ?? ""}\n${run.stderr ?? ""}`;
      const theirs = [...output.matchAll(/^Signature verification: (ok|failed)/gm)].map((m) => m[1] === "ok");
      const { bytes, pe } = loadPe(file);
      const ours = verifyAuthenticode(bytes, pe, defaultPolicy(trust, { at, signatures: "all" })).signatures;
      assert.equal(theirs.length, ours.length, `signature count\n${output}`);
      const primaryOk = run.status === 0;
      if (!DELIBERATE.has(record.file)) {
        assert.equal(
          primaryOk,
          ours[0]!.state === "valid",
          `exit code vs primary ${ours[0]!.state}\n${output}`,
        );
        ours.forEach((signature, i) =>
          assert.equal(
            theirs[i],
            signature.state === "valid",
            `${signature.path}: ${signature.state}\n${output}`,
          ),
        );
      } else {
        // The difference is one-sided: osslsigncode accepts a signature we do not.
        const differing = ours.filter((s, i) => theirs[i] !== (s.state === "valid"));
        assert.ok(differing.length > 0, `documented difference no longer exists\n${output}`);
        for (const s of differing) {
          assert.equal(theirs[ours.indexOf(s)], true, output);
          assert.ok(["invalid", "weak-digest"].includes(s.state), `${s.path}: ${s.state}`);
        }
      }
    });
  }
});
