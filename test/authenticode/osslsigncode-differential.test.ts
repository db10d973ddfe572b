/**
 * Differential test against osslsigncode 2.9 (`osslsigncode verify -in FILE -CAfile …`): on
 * every corpus file, every fixtures/pe file and every conformance sample, each signature
 * osslsigncode reports must get the same integrity verdict from us (signed digest == recomputed
 * authentihash, or not). Trust verdicts are not compared: osslsigncode's trust rules differ by
 * design (docs/authenticode.md, "Where we differ").
 *
 * When osslsigncode extracts no signature at all while we verify one, the file must carry the
 * certificate-table anomaly that explains osslsigncode's refusal (documented disagreements):
 * - cert-table-not-at-eof: osslsigncode ignores a table that does not end at EOF (MS12-024 rule);
 * - cert-table-size-mismatch / multiple-win-certificates: osslsigncode requires the first
 *   entry's rounded dwLength to equal the directory Size ("Corrupted attribute certificate table");
 * - cert-entry-revision: osslsigncode only reads WIN_CERT_REVISION_2_0 entries;
 * - cert-table-past-eof / a malformed signature: nothing usable for either tool.
 *
 * Skips when osslsigncode is not installed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { createTrustStore, defaultPolicy, verifyAuthenticode } from "../../src/authenticode/index.js";
import { conformanceDir, corpusDir, fixturesPeDir, fixturesPkiDir, hasTool, loadPe } from "./helpers.js";

const skip = hasTool("osslsigncode")
  ? false
  : "osslsigncode is not installed (apt install osslsigncode); skipping";

/** Anomalies that explain osslsigncode not extracting a signature we do verify. */
const EXPLAINS_NO_SIGNATURE = new Set([
  "cert-table-not-at-eof",
  "cert-table-size-mismatch",
  "multiple-win-certificates",
  "cert-entry-revision",
  "cert-table-past-eof",
]);

interface DigestPair {
  current: string;
  calculated: string;
}

function osslsigncodeDigests(file: string, caFile: string): { pairs: DigestPair[]; output: string } {
  const run = spawnSync("osslsigncode", ["verify", "-in", file, "-CAfile", caFile], {
    encoding: "utf8",
    timeout: 20_000,
  });
  const output = `${run.stdout ?? ""}\n${run.stderr ?? ""}`;
  const pairs: DigestPair[] = [];
  const re = /Current message digest\s*:\s*([0-9A-F]+)\s*\n\s*Calculated message digest\s*:\s*([0-9A-F]+)/g;
  for (let m = re.exec(output); m; m = re.exec(output))
    pairs.push({ current: m[1]!.toLowerCase(), calculated: m[2]!.toLowerCase() });
  return { pairs, output };
}

function candidates(): Array<{ file: string; caFile: string }> {
  const out: Array<{ file: string; caFile: string }> = [];
  const truthPath = path.join(corpusDir, "truth.json");
  if (existsSync(truthPath)) {
    const truth = JSON.parse(readFileSync(truthPath, "utf8")) as {
      files: Array<{ path: string; intended: { signature_bucket: string } }>;
    };
    for (const record of truth.files) {
      if (record.intended.signature_bucket !== "n/a")
        out.push({
          file: path.join(corpusDir, record.path),
          caFile: path.join(corpusDir, "pki", "trust-anchors.pem"),
        });
    }
  }
  if (existsSync(fixturesPeDir)) {
    for (const name of readdirSync(fixturesPeDir).sort()) {
      if (/\.(dll|exe)$/i.test(name))
        out.push({
          file: path.join(fixturesPeDir, name),
          caFile: path.join(fixturesPkiDir, "trust-anchors.pem"),
        });
    }
  }
  for (const folder of ["signify", "pefile-tests", "goblin"]) {
    const dir = path.join(conformanceDir, folder);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (/\.(dll|exe|sys|sample|bin)$/i.test(name))
        out.push({ file: path.join(dir, name), caFile: path.join(fixturesPkiDir, "trust-anchors.pem") });
    }
  }
  return out;
}

describe("differential: integrity verdicts agree with osslsigncode verify", { skip }, () => {
  const trust = createTrustStore();
  const policy = defaultPolicy(trust, { signatures: "all" });
  let compared = 0;
  const files = skip ? [] : candidates();
  for (const { file, caFile } of files) {
    it(path.relative(path.resolve(file, "..", ".."), file), () => {
      let loaded: ReturnType<typeof loadPe>;
      try {
        loaded = loadPe(file);
      } catch {
        return; // not a PE for our parser: the PE tests cover it
      }
      const ours = verifyAuthenticode(loaded.bytes, loaded.pe, policy);
      const theirs = osslsigncodeDigests(file, caFile);
      for (const pair of theirs.pairs) {
        const signature = ours.signatures.find((s) => s.integrity.signedDigest === pair.current);
        assert.ok(
          signature,
          `osslsigncode reports signed digest ${pair.current}; we found none\n${theirs.output}`,
        );
        const theirVerdict = pair.current === pair.calculated ? "pass" : "fail";
        assert.equal(
          signature.integrity.imageDigest,
          theirVerdict,
          `${signature.path}: ours ${signature.integrity.computedDigest}, osslsigncode ${pair.calculated}`,
        );
        if (theirVerdict === "pass") assert.equal(signature.integrity.computedDigest, pair.calculated);
        compared++;
      }
      if (theirs.pairs.length === 0 && ours.signatures.length > 0) {
        const explained =
          ours.anomalies.some((a) => EXPLAINS_NO_SIGNATURE.has(a.code)) ||
          ours.signatures.every((s) => s.state === "malformed");
        assert.ok(
          explained,
          `osslsigncode extracted no signature but we verified ${ours.signatures.length} (${ours.state}) without an explaining anomaly\n${theirs.output}`,
        );
      }
      if (ours.signatures.length === 0)
        assert.equal(theirs.pairs.length, 0, "osslsigncode found a signature we did not");
    });
  }
  it(
    "compared at least one signature per ten files",
    { skip: files.length === 0 ? "no candidate files" : false },
    () => {
      assert.ok(
        compared >= files.length / 10,
        `only ${compared} signatures compared over ${files.length} files`,
      );
    },
  );
});
