/**
 * The corpus table test (walking-skeleton acceptance): every file of ../shared/corpus/truth.json
 * is triaged with the corpus trust anchors; its signature state must match its bucket and its
 * verdict the family's expectation. Skips when ../shared is absent.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { createSignatureVerifier } from "../../src/app/signature-verifier.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import { triageFile, type TriageRecord } from "../../src/triage/index.js";
import { SHARED, sharedSkip } from "../helpers/repo.js";

interface TruthFile {
  path: string;
  family: string;
  file_name: string;
  intended: { label: string; signature_bucket: string; tags: string[] };
}

const skip = sharedSkip("corpus/truth.json");
const corpus = path.join(SHARED, "corpus");
/** truth.json was recorded on this day; certificate validity is judged then. */
const AT = new Date("2026-11-21T08:31:16Z");

const BUCKET_STATES: Record<string, string[]> = {
  "valid-chain": ["valid"],
  expired: ["expired"],
  "self-signed": ["self-signed"],
  unsigned: ["unsigned"],
  "invalid-or-tampered": ["invalid", "malformed", "not-yet-valid"],
};

describe("corpus table (../shared/corpus)", { skip }, () => {
  const truth = skip
    ? []
    : (JSON.parse(readFileSync(path.join(corpus, "truth.json"), "utf8")).files as TruthFile[]);
  const records = new Map<string, TriageRecord>();

  it("triages every file without throwing", async () => {
    const verifier = await createSignatureVerifier({
      trustFiles: [path.join(corpus, "pki", "trust-anchors.pem")],
      at: AT,
    });
    for (const t of truth) {
      const file = path.join(corpus, t.path);
      assert.ok(existsSync(file), t.path);
      const bytes = readFileSync(file);
      records.set(
        t.path,
        await triageFile(
          { path: file, fileName: t.file_name, bytes },
          { knowledge: loadKnowledge(), verifySignature: verifier.verify },
        ),
      );
    }
    assert.equal(records.size, truth.length);
  });

  it("signature state matches the bucket", () => {
    const wrong: string[] = [];
    for (const t of truth) {
      const r = records.get(t.path)!;
      const bucket = t.intended.signature_bucket;
      if (bucket === "n/a") continue;
      if (r.verdict === "error") {
        // Malformed inputs may stop at the PE layer; the bucket is then not reached.
        if (!t.intended.tags.includes("malformed")) wrong.push(`${t.path}: error ${r.error?.code}`);
        continue;
      }
      let allowed = BUCKET_STATES[bucket]!;
      // The Microsoft-signed shim chains to Microsoft's UEFI CA, which is not available offline.
      if (t.intended.tags.includes("microsoft")) allowed = [...allowed, "untrusted-root"];
      if (!allowed.includes(r.signature!.state))
        wrong.push(`${t.path}: ${r.signature!.state}, bucket ${bucket}`);
    }
    assert.deepEqual(wrong, []);
  });

  it("impostors are malicious and the unsigned genuine look-alike is suspicious", () => {
    for (const t of truth) {
      const r = records.get(t.path)!;
      if (t.intended.label === "impostor") assert.equal(r.verdict, "malicious", t.path);
      if (t.family === "kofmsp-unsigned") assert.equal(r.verdict, "suspicious", t.path);
    }
  });

  it("non-PE and malformed files give a typed error or a parse with anomalies", () => {
    for (const t of truth.filter((x) => x.intended.tags.includes("malformed"))) {
      const r = records.get(t.path)!;
      if (r.verdict === "error") {
        assert.match(r.error!.code, /^[a-z]+(-[a-z0-9]+)*$/, `${t.path} typed code`);
        assert.notEqual(r.error!.code, "internal", t.path);
      } else {
        const anomalies = (r.pe?.anomalies.length ?? 0) + (r.signature?.anomalies.length ?? 0);
        const sigBroken = ["malformed", "invalid"].includes(r.signature?.state ?? "");
        assert.ok(anomalies > 0 || sigBroken, `${t.path}: parsed without anomalies`);
      }
    }
    for (const t of truth.filter((x) => x.intended.tags.includes("not-pe"))) {
      assert.equal(records.get(t.path)!.verdict, "error", t.path);
    }
  });
});
