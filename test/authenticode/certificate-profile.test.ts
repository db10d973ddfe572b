/**
 * readCertificateProfile (version, basicConstraints, keyUsage, signature hash) on the rules test
 * PKI, cross-checked with `openssl x509 -text` where openssl is installed, and on truncated or
 * reshaped DER: typed errors, never a crash.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { AuthenticodeError } from "../../src/authenticode/index.js";
import { readCertificateProfile } from "../../src/authenticode/certificate-profile.js";
import { hasTool, repoRoot } from "./helpers.js";

const pki = path.join(repoRoot, "fixtures", "authenticode-rules", "pki");
const skip = existsSync(pki) ? false : `fixtures/authenticode-rules/pki not found at ${pki}; skipping`;
const der = (name: string): Uint8Array =>
  new Uint8Array(new X509Certificate(readFileSync(path.join(pki, `${name}.pem`))).raw);

describe("readCertificateProfile", { skip }, () => {
  it("reads the profile each rules certificate was issued with", () => {
    assert.deepEqual(readCertificateProfile(der("root-ca")), {
      version: 3,
      basicConstraints: { ca: true },
      keyUsage: { digitalSignature: false, keyCertSign: true },
      signatureHash: "sha256",
    });
    assert.deepEqual(readCertificateProfile(der("pathlen0-ca")).basicConstraints, {
      ca: true,
      pathLength: 0,
    });
    assert.deepEqual(readCertificateProfile(der("leaf")).basicConstraints, { ca: false });
    assert.deepEqual(readCertificateProfile(der("leaf")).keyUsage, {
      digitalSignature: true,
      keyCertSign: false,
    });
    assert.deepEqual(readCertificateProfile(der("v1-ca")), { version: 1, signatureHash: "sha256" });
    assert.equal(readCertificateProfile(der("no-bc-ca")).basicConstraints, undefined);
    assert.equal(readCertificateProfile(der("no-certsign-ca")).keyUsage?.keyCertSign, false);
    assert.equal(readCertificateProfile(der("md5-ca")).signatureHash, "md5");
  });

  it(
    "agrees with openssl x509 -text on every rules certificate",
    { skip: hasTool("openssl") ? false : "openssl missing" },
    () => {
      const names = readdirSync(pki).filter((f) => f.endsWith(".pem") && f !== "trust-anchors.pem");
      assert.ok(names.length >= 20);
      for (const name of names) {
        const file = path.join(pki, name);
        const text = execFileSync("openssl", ["x509", "-in", file, "-noout", "-text"], { encoding: "utf8" });
        const profile = readCertificateProfile(new Uint8Array(new X509Certificate(readFileSync(file)).raw));
        assert.equal(profile.version, Number(/Version: (\d)/.exec(text)![1]), name);
        const bc = /CA:(TRUE|FALSE)(?:, pathlen:(\d+))?/.exec(text);
        assert.deepEqual(
          profile.basicConstraints,
          bc
            ? { ca: bc[1] === "TRUE", ...(bc[2] !== undefined ? { pathLength: Number(bc[2]) } : {}) }
            : undefined,
          name,
        );
        const usage = /X509v3 Key Usage:.*\n\s*(.*)/.exec(text)?.[1];
        assert.equal(
          profile.keyUsage?.keyCertSign,
          usage === undefined ? undefined : usage.includes("Certificate Sign"),
          name,
        );
        assert.equal(profile.signatureHash, /Signature Algorithm: md5/.test(text) ? "md5" : "sha256", name);
      }
    },
  );

  it("throws a typed error, never a crash, on every truncation and on a reshaped certificate", () => {
    const good = der("pathlen0-ca");
    for (let n = 0; n < good.length; n += 7) {
      assert.throws(
        () => readCertificateProfile(good.subarray(0, n)),
        AuthenticodeError,
        `truncated to ${n}`,
      );
    }
    const indefinite = Uint8Array.from(good);
    indefinite[1] = 0x80;
    assert.throws(
      () => readCertificateProfile(indefinite),
      (e: unknown) => e instanceof AuthenticodeError && e.code === "asn1-malformed",
    );
    const notSequence = Uint8Array.from(good);
    notSequence[0] = 0x31;
    assert.throws(() => readCertificateProfile(notSequence), AuthenticodeError);
  });
});
