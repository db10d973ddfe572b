/**
 * Chain building when the SignedData certificate bag holds more than one candidate issuer. The
 * bag is not covered by the signature, so anyone can add certificates to a genuinely signed file
 * without changing its Authenticode digest. A decoy carrying the real CA's subject and public
 * key (both public) but signed by someone else, or with cA=FALSE, verifies the leaf's signature
 * just as the real CA does. Path building must still find the valid path when one exists
 * (WinVerifyTrust picks the best chain), and never a bad one when only bad ones exist.
 *
 * The decoy is made in-test with openssl (`x509 -force_pubkey`) and put first in the bag of
 * fixtures/authenticode-rules/rules-baseline-valid-x64.dll.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { createTrustStore, defaultPolicy, verifyAuthenticode } from "../../src/authenticode/index.js";
import { parsePe } from "../../src/pe/index.js";
import { hasTool, loadPe, repoRoot, trustFile } from "./helpers.js";

const dir = path.join(repoRoot, "fixtures", "authenticode-rules");
const baseline = path.join(dir, "rules-baseline-valid-x64.dll");
const skip = !existsSync(baseline)
  ? `${baseline} not found; run fixtures/build-authenticode-rules.sh`
  : !hasTool("openssl")
    ? "openssl is not installed (apt-get install openssl); skipping"
    : false;
const at = new Date("2026-06-01T00:00:00Z");

/** One DER element: tag octet, header length, content. */
function readTlv(der: Buffer, pos: number): { tag: number; header: number; length: number } {
  const tag = der[pos]!;
  const first = der[pos + 1]!;
  if (first < 0x80) return { tag, header: 2, length: first };
  const count = first & 0x7f;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + der[pos + 2 + i]!;
  return { tag, header: 2 + count, length };
}

function encodeTlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const lengthOctets: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) lengthOctets.unshift(v % 256);
  const header = n < 0x80 ? [tag, n] : [tag, 0x80 | lengthOctets.length, ...lengthOctets];
  return Buffer.concat([Buffer.from(header), content]);
}

/** The children of a constructed element at `pos`. */
function children(der: Buffer, pos: number): Buffer[] {
  const { header, length } = readTlv(der, pos);
  const out: Buffer[] = [];
  for (let at = pos + header; at < pos + header + length;) {
    const child = readTlv(der, at);
    out.push(der.subarray(at, at + child.header + child.length));
    at += child.header + child.length;
  }
  return out;
}

/** ContentInfo → [0] → SignedData → certificates [0]: `extra` put first in the bag. */
function prependToBag(contentInfo: Buffer, extra: Buffer[]): Buffer {
  const [oid, explicit] = children(contentInfo, 0);
  const signedData = children(explicit!, 0)[0]!;
  const fields = children(signedData, 0).map((field) =>
    field[0] === 0xa0 ? encodeTlv(0xa0, Buffer.concat([...extra, ...children(field, 0)])) : field,
  );
  return encodeTlv(0x30, Buffer.concat([oid!, encodeTlv(0xa0, encodeTlv(0x30, Buffer.concat(fields)))]));
}

/** `file` with `extra` certificates put first in its signature's bag (digest unchanged). */
function withDecoys(file: string, extra: Buffer[]): Uint8Array {
  const { bytes, pe } = loadPe(file);
  const table = pe.certificateTable!;
  const entry = Buffer.from(bytes.subarray(table.offset, table.offset + table.size));
  const revisionAndType = entry.subarray(4, 8);
  const contentInfo = entry.subarray(8, 8 + readTlv(entry, 8).header + readTlv(entry, 8).length);
  const p7 = prependToBag(contentInfo, extra);
  const length = 8 + p7.length;
  const padded = Buffer.alloc(Math.ceil(length / 8) * 8);
  padded.writeUInt32LE(padded.length, 0);
  revisionAndType.copy(padded, 4);
  p7.copy(padded, 8);
  const out = Buffer.concat([Buffer.from(bytes.subarray(0, table.offset)), padded]);
  const security = pe.optionalHeader.dataDirectories.find((d) => d.index === 4)!;
  out.writeUInt32LE(padded.length, security.entryOffset + 4);
  return new Uint8Array(out);
}

describe("chain building with decoys in the certificate bag", { skip }, () => {
  const work = skip ? "" : mkdtempSync(path.join(tmpdir(), "koff-chain-decoy-"));
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: work, stdio: "pipe" });
  /** A certificate with the real CA's subject and public key, signed with a stranger's key. */
  function decoy(extensions: string): Buffer {
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "stranger.key");
    openssl("x509", "-in", path.join(dir, "pki", "ca.pem"), "-pubkey", "-noout", "-out", "ca.pub");
    const subject = "/C=CZ/O=koff-doctor Rules Test PKI/CN=Rules Test Code Signing CA";
    openssl("req", "-new", "-key", "stranger.key", "-subj", subject, "-out", "decoy.csr");
    writeFileSync(path.join(work, "decoy.ext"), `${extensions}\n`);
    openssl(
      ...["x509", "-req", "-in", "decoy.csr", "-signkey", "stranger.key", "-force_pubkey", "ca.pub"],
      ...["-extfile", "decoy.ext", "-days", "36500", "-outform", "DER", "-out", "decoy.der"],
    );
    return readFileSync(path.join(work, "decoy.der"));
  }
  function verify(bytes: Uint8Array) {
    const trust = createTrustStore({ files: [trustFile(path.join(dir, "pki", "trust-anchors.pem"))] });
    const pe = parsePe(bytes, { mode: "permissive" });
    return verifyAuthenticode(bytes, pe, defaultPolicy(trust, { at }));
  }

  it("the baseline is valid without decoys", () => {
    assert.equal(verify(withDecoys(baseline, [])).state, "valid");
  });

  it("an end-entity decoy with the CA's name and key first in the bag: the real path is still chosen", () => {
    const result = verify(withDecoys(baseline, [decoy("basicConstraints=critical,CA:FALSE")]));
    assert.equal(
      result.state,
      "valid",
      result.steps.map((s) => `${s.step}:${s.outcome}:${s.detail}`).join("\n"),
    );
    assert.match(result.signatures[0]!.trust.anchor?.subject ?? "", /Rules Test Root CA/);
  });

  it("a decoy signer with the leaf's issuer and serial but another key, first in the bag: the real signer is used", () => {
    const caSubject = "/C=CZ/O=koff-doctor Rules Test PKI/CN=Rules Test Code Signing CA";
    const serial = openssl("x509", "-in", path.join(dir, "pki", "leaf.pem"), "-noout", "-serial")
      .toString()
      .trim()
      .replace(/^serial=/, "");
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "other.key");
    openssl(
      ...["req", "-x509", "-new", "-key", "other.key", "-subj", caSubject, "-days", "36500"],
      ...["-out", "other-ca.pem"],
    );
    openssl("req", "-new", "-key", "other.key", "-subj", "/CN=Decoy signer", "-out", "signer.csr");
    openssl(
      ...["x509", "-req", "-in", "signer.csr", "-CA", "other-ca.pem", "-CAkey", "other.key"],
      ...["-set_serial", `0x${serial}`, "-days", "36500", "-outform", "DER", "-out", "signer.der"],
    );
    const result = verify(withDecoys(baseline, [readFileSync(path.join(work, "signer.der"))]));
    assert.equal(
      result.state,
      "valid",
      result.steps.map((s) => `${s.step}:${s.outcome}:${s.detail}`).join("\n"),
    );
  });

  it("a CA decoy that reaches no anchor first in the bag: the anchored path is still chosen", () => {
    const result = verify(withDecoys(baseline, [decoy("basicConstraints=critical,CA:TRUE")]));
    assert.equal(result.state, "valid");
  });
});

/**
 * RFC 5280 §6.1.4(o), §6.1.5(e) and WinVerifyTrust (CERT_E_CRITICAL,
 * CERT_TRUST_HAS_NOT_SUPPORTED_CRITICAL_EXT): a certificate of the path that carries a critical
 * extension the verifier does not know states a constraint nobody enforces, so the path fails.
 */
describe(
  "critical extensions nobody knows",
  { skip: skip || (!hasTool("osslsigncode") && "osslsigncode is not installed; skipping") },
  () => {
    const work = skip ? "" : mkdtempSync(path.join(tmpdir(), "koff-critical-"));
    after(() => {
      if (work) rmSync(work, { recursive: true, force: true });
    });
    const pki = path.join(dir, "pki");
    const run = (tool: string, ...args: string[]) => execFileSync(tool, args, { cwd: work, stdio: "pipe" });
    /** Signs genuine-unsigned-x64.dll with a fresh leaf under ca.pem carrying `leafExtensions`. */
    function signWith(leafExtensions: string): Uint8Array {
      run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "leaf.key");
      run("openssl", "req", "-new", "-key", "leaf.key", "-subj", "/CN=Critical Leaf", "-out", "leaf.csr");
      writeFileSync(path.join(work, "leaf.ext"), `${leafExtensions}\n`);
      run(
        "openssl",
        ...["x509", "-req", "-in", "leaf.csr", "-CA", path.join(pki, "ca.pem")],
        ...["-CAkey", path.join(pki, "ca.key"), "-set_serial", "0x4b0f", "-days", "3650"],
        ...["-extfile", "leaf.ext", "-out", "leaf.pem"],
      );
      writeFileSync(
        path.join(work, "chain.pem"),
        Buffer.concat([readFileSync(path.join(work, "leaf.pem")), readFileSync(path.join(pki, "ca.pem"))]),
      );
      rmSync(path.join(work, "signed.dll"), { force: true });
      run(
        "osslsigncode",
        ...["sign", "-certs", "chain.pem", "-key", "leaf.key", "-h", "sha256"],
        ...["-in", path.join(repoRoot, "fixtures", "pe", "genuine-unsigned-x64.dll"), "-out", "signed.dll"],
      );
      return new Uint8Array(readFileSync(path.join(work, "signed.dll")));
    }
    function verifyNow(bytes: Uint8Array) {
      const trust = createTrustStore({ files: [trustFile(path.join(pki, "trust-anchors.pem"))] });
      const pe = parsePe(bytes, { mode: "permissive" });
      return verifyAuthenticode(bytes, pe, defaultPolicy(trust, { at: new Date(Date.now() + 3600_000) }));
    }
    const codeSigning = "keyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning";

    it("a leaf with only known extensions is valid", () => {
      assert.equal(verifyNow(signWith(codeSigning)).state, "valid");
    });

    it("a leaf with an unknown critical extension is invalid, and --explain names it", () => {
      const result = verifyNow(signWith(`${codeSigning}\n1.3.6.1.4.1.55555.1=critical,ASN1:NULL`));
      assert.equal(result.state, "invalid");
      const step = result.steps.find((s) => s.step === "path-validation");
      assert.match(
        step?.detail ?? "",
        /critical-extension: chain\[0\] "CN=Critical Leaf".*1\.3\.6\.1\.4\.1\.55555\.1/,
      );
    });

    it("an unknown extension that is not critical is ignored", () => {
      assert.equal(verifyNow(signWith(`${codeSigning}\n1.3.6.1.4.1.55555.1=ASN1:NULL`)).state, "valid");
    });
  },
);
