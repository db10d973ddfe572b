/**
 * Strict mode and the EKU/keyUsage rules, on a signature made at test time: a leaf under the
 * fixtures' code-signing CA with NO extendedKeyUsage and a keyUsage without digitalSignature
 * (openssl), used to sign the unsigned genuine fixture (osslsigncode). WinVerifyTrust accepts an
 * absent EKU, so the default policy says `valid` (with an `eku` warning); strict mode says
 * `invalid` (signify `strict_validation`). Skips when openssl/osslsigncode or the fixtures are
 * missing.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { createTrustStore, defaultPolicy, verifyAuthenticode } from "../../src/authenticode/index.js";
import { fixturesPeDir, fixturesPkiDir, hasTool, loadPe, skipUnless, trustFile } from "./helpers.js";

const skip =
  skipUnless(path.join(fixturesPkiDir, "code-signing-ca.key"), "fixtures/pki") ||
  skipUnless(path.join(fixturesPeDir, "genuine-unsigned-x64.dll"), "fixtures/pe") ||
  (hasTool("openssl") ? false : "openssl is not installed; skipping") ||
  (hasTool("osslsigncode") ? false : "osslsigncode is not installed; skipping");

describe("strict mode: EKU absent, keyUsage without digitalSignature", { skip }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), "koff-authenticode-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string): string => path.join(dir, name);
  let signed = "";

  it("builds a signature whose leaf has no EKU", () => {
    const run = (cmd: string, args: string[]): void => {
      execFileSync(cmd, args, { stdio: "pipe" });
    };
    run("openssl", [
      "req",
      "-new",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      file("leaf.key"),
      "-subj",
      "/CN=No EKU Test Signer",
      "-out",
      file("leaf.csr"),
    ]);
    writeFileSync(file("ext.cnf"), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyEncipherment\n");
    run("openssl", [
      "x509",
      "-req",
      "-in",
      file("leaf.csr"),
      "-CA",
      path.join(fixturesPkiDir, "code-signing-ca.pem"),
      "-CAkey",
      path.join(fixturesPkiDir, "code-signing-ca.key"),
      "-set_serial",
      "4242",
      "-days",
      "30",
      "-extfile",
      file("ext.cnf"),
      "-out",
      file("leaf.pem"),
    ]);
    writeFileSync(
      file("chain.pem"),
      readFileSync(file("leaf.pem"), "latin1") +
        readFileSync(path.join(fixturesPkiDir, "code-signing-ca.pem"), "latin1"),
    );
    run("osslsigncode", [
      "sign",
      "-certs",
      file("chain.pem"),
      "-key",
      file("leaf.key"),
      "-h",
      "sha256",
      "-in",
      path.join(fixturesPeDir, "genuine-unsigned-x64.dll"),
      "-out",
      file("signed.dll"),
    ]);
    signed = file("signed.dll");
  });

  it("default policy: valid, EKU absent reported as a warning", () => {
    const trust = createTrustStore({ files: [trustFile(path.join(fixturesPkiDir, "trust-anchors.pem"))] });
    const { bytes, pe } = loadPe(signed);
    const result = verifyAuthenticode(bytes, pe, defaultPolicy(trust));
    assert.equal(
      result.state,
      "valid",
      result.steps.map((s) => `${s.step}:${s.outcome}:${s.detail}`).join("\n"),
    );
    assert.equal(result.signatures[0]!.trust.ekuCodeSigning, "absent");
    assert.equal(result.signatures[0]!.steps.find((s) => s.step === "eku")?.outcome, "warn");
  });

  it("strict policy: invalid, because of the absent EKU and the keyUsage", () => {
    const trust = createTrustStore({ files: [trustFile(path.join(fixturesPkiDir, "trust-anchors.pem"))] });
    const { bytes, pe } = loadPe(signed);
    const result = verifyAuthenticode(bytes, pe, defaultPolicy(trust, { strict: true }));
    assert.equal(result.state, "invalid");
    const failed = result.signatures[0]!.steps.filter((s) => s.outcome === "fail").map((s) => s.step);
    assert.ok(failed.includes("eku"), failed.join(","));
    assert.ok(failed.includes("key-usage"), failed.join(","));
  });
});
