/**
 * The run's folder-scan cache (src/triage/sibling-loaders.ts, FolderScans) never changes a
 * verdict: every PE file of fixtures/pe, of each sample image in examples/ (judged as the image,
 * C:\ at its root) and of ../shared/corpus (when present) gets the same record scanned once per
 * folder as rescanning its folder for every file. And the cache is bounded: it keeps the most
 * recently used folders only, rescanning a dropped one with the same result.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { createSignatureVerifier } from "../../src/app/signature-verifier.js";
import { hostFolderScans, triageHostFiles } from "../../src/app/triage-host-files.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import { sniffPe } from "../../src/pe/index.js";
import type { TriageRecord } from "../../src/triage/index.js";
import { FolderScans, type FolderFile } from "../../src/triage/sibling-loaders.js";
import { EXAMPLES, FIXTURES, SHARED, sharedSkip } from "../helpers/repo.js";

const AT = new Date("2026-11-21T00:00:00Z");

/** Every PE file under `dir` (by content, as `triage -r` picks them). */
function peFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => sniffPe(readFileSync(f).subarray(0, 1 << 16)) === "pe")
    .sort();
}

/** The records of `files`, cached (one scan per folder) and rescanning for every file. */
async function bothWays(files: string[], imageRoot?: string): Promise<[TriageRecord[], TriageRecord[]]> {
  const verifier = await createSignatureVerifier({
    trustFiles: [path.join(FIXTURES, "pki", "trust-anchors.pem")],
    at: AT,
  });
  const options = { knowledge: loadKnowledge(), verifySignature: verifier.verify, imageRoot };
  const cached = await triageHostFiles(files, {
    ...options,
    folderScans: hostFolderScans({ imageRoot }, true),
  });
  const fresh = await triageHostFiles(files, {
    ...options,
    folderScans: hostFolderScans({ imageRoot }, false),
  });
  return [cached, fresh];
}

/** Records without the verification time, which differs between two runs by design. */
function comparable(records: TriageRecord[]): unknown[] {
  return records.map((r) =>
    JSON.parse(JSON.stringify(r, (k, v: unknown) => (k === "verifiedAt" ? undefined : v), 0)),
  );
}

describe("cached folder scan gives the verdicts of the uncached path", () => {
  it("fixtures/pe and fixtures/triage-rules", async () => {
    const files = [
      ...peFilesUnder(path.join(FIXTURES, "pe")),
      ...peFilesUnder(path.join(FIXTURES, "triage-rules")),
    ];
    assert.ok(files.length > 40);
    const [cached, fresh] = await bothWays(files);
    assert.deepEqual(comparable(cached), comparable(fresh));
  });

  it("every sample image in examples/, judged as the image", async () => {
    const images = readdirSync(EXAMPLES, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !["src", "tools"].includes(e.name))
      .map((e) => path.join(EXAMPLES, e.name));
    assert.ok(images.length >= 7);
    let judged = 0;
    for (const image of images) {
      const files = peFilesUnder(image);
      const [cached, fresh] = await bothWays(files, image);
      assert.deepEqual(comparable(cached), comparable(fresh), image);
      judged += files.length;
    }
    assert.ok(judged > 0);
  });

  it("../shared/corpus", { skip: sharedSkip("corpus") }, async () => {
    const files = peFilesUnder(path.join(SHARED, "corpus"));
    assert.ok(files.length > 0);
    const [cached, fresh] = await bothWays(files);
    assert.deepEqual(comparable(cached), comparable(fresh));
  });
});

describe("folder-scan cache is bounded", () => {
  it("keeps the most recently used folders and rescans a dropped one alike", async () => {
    const listed: string[] = [];
    const lister = async (folder: string): Promise<FolderFile[]> => {
      listed.push(folder);
      return [{ name: "app.exe", where: `${folder}\\app.exe`, read: async () => "too-large" }];
    };
    const scans = new FolderScans(lister, { keep: 2 });
    const first = await scans.scan("A");
    await scans.scan("B");
    await scans.scan("A"); // A is now the most recent; B is next to go.
    await scans.scan("C"); // drops B
    await scans.scan("A"); // still kept
    assert.deepEqual(listed, ["A", "B", "C"]);
    await scans.scan("B"); // rescanned
    assert.deepEqual(listed, ["A", "B", "C", "B"]);
    assert.deepEqual(await scans.scan("A"), first);
    // Thousands of folders: the scans held stay at the bound.
    const many = new FolderScans(lister, { keep: 3 });
    for (let i = 0; i < 5000; i++) await many.scan(`F${i}`);
    for (let i = 4997; i < 5000; i++) await many.scan(`F${i}`);
    assert.equal(many.scansStarted, 5000, "the three most recent folders are still cached");
  });
});
