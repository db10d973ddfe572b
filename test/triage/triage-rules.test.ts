/**
 * Issue 10 "Trust under attack: no false clean", triage part: every rule has fixtures built from
 * source (fixtures/build-triage-rules.sh → fixtures/triage-rules/), and this test asserts each
 * fixture's verdict, the level of the indicator its rule drives and that indicator's evidence
 * (fixtures/triage-rules/expected.json). Then the cached folder scan: each folder scanned once,
 * the same records as scanning afresh for every file, and import tables equal to a full parse.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { createSignatureVerifier } from "../../src/app/signature-verifier.js";
import { hostFolderScans, triageHostFiles } from "../../src/app/triage-host-files.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import { parsePe, parsePeImports } from "../../src/pe/index.js";
import type { TriageRecord } from "../../src/triage/index.js";
import { FolderScans, type FolderFile } from "../../src/triage/sibling-loaders.js";
import { FIXTURES } from "../helpers/repo.js";

const RULES = path.join(FIXTURES, "triage-rules");
const SIDELOAD = path.join(RULES, "sideload");
/** The test PKI's leaf-valid is valid from 2020 to 2099. */
const AT = new Date("2026-01-01T00:00:00Z");

interface Expected {
  path: string;
  rule: string;
  indicator: string;
  level: string;
  evidence: string;
  verdict: string;
  signature?: string;
}

function peFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(dll|exe)$/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Triage `files` (kits with sideload/ as C:\); `cache: false` rescans a folder for every file. */
async function triageAll(files: string[], cache = true): Promise<{ records: TriageRecord[]; scans: number }> {
  const verifier = await createSignatureVerifier({
    trustFiles: [path.join(FIXTURES, "pki", "trust-anchors.pem")],
    at: AT,
  });
  const options = { knowledge: loadKnowledge(), verifySignature: verifier.verify };
  const kitScans = hostFolderScans({ imageRoot: SIDELOAD }, cache);
  const otherScans = hostFolderScans({}, cache);
  const kits = files.filter((f) => f.startsWith(SIDELOAD));
  const others = files.filter((f) => !f.startsWith(SIDELOAD));
  const records = [
    ...(await triageHostFiles(kits, { ...options, imageRoot: SIDELOAD, folderScans: kitScans })),
    ...(await triageHostFiles(others, { ...options, folderScans: otherScans })),
  ];
  return { records, scans: kitScans.scansStarted + otherScans.scansStarted };
}

describe("triage rules under attack (fixtures/triage-rules)", () => {
  const expected = (
    JSON.parse(readFileSync(path.join(RULES, "expected.json"), "utf8")) as { files: Expected[] }
  ).files;

  it("every rule has a firing fixture and a quiet one", () => {
    for (const indicator of ["packing", "provider-exports", "dynamic-imports", "location"]) {
      const levels = new Set(expected.filter((e) => e.indicator === indicator).map((e) => e.level));
      assert.ok(levels.has("ok") || levels.has("suspicious"), indicator);
      assert.ok(levels.size >= 2, `${indicator} has fixtures of one level only`);
    }
  });

  it("each fixture gets its verdict, indicator level and evidence", async () => {
    const { records } = await triageAll(expected.map((e) => path.join(RULES, e.path)));
    for (const e of expected) {
      const r = records.find((x) => x.path === path.join(RULES, e.path));
      assert.ok(r, e.path);
      const i = r.indicators.find((x) => x.id === e.indicator);
      assert.ok(i, `${e.path}: no ${e.indicator} indicator`);
      assert.equal(i.level, e.level, `${e.path} (${e.rule}): ${i.evidence}`);
      assert.match(i.evidence, new RegExp(e.evidence, "u"), `${e.path} (${e.rule})`);
      assert.equal(r.verdict, e.verdict, `${e.path} (${e.rule})`);
      if (e.signature) assert.equal(r.signature?.state, e.signature, `${e.path}: signature`);
    }
  });

  it("a weak packing signal alone stays ok, and the strong ones each suffice alone", async () => {
    const { records } = await triageAll(peFiles(path.join(RULES, "packing")));
    for (const r of records) {
      const signals = (
        r.indicators.find((i) => i.id === "packing")!.details!["signals"] as Array<{
          strength: string;
        }>
      ).map((s) => s.strength);
      const level = r.indicators.find((i) => i.id === "packing")!.level;
      if (signals.includes("strong")) assert.deepEqual([level, signals.length], ["suspicious", 1], r.path);
      else assert.equal(level, "ok", r.path);
    }
  });
});

describe("folder scan (sibling-loaders)", () => {
  const all = [...peFiles(RULES), ...peFiles(path.join(FIXTURES, "pe"))];

  /** A host lister that counts listings and reads per file. */
  function countingLister() {
    const listings = new Map<string, number>();
    const reads = new Map<string, number>();
    const lister = async (dir: string): Promise<FolderFile[] | undefined> => {
      listings.set(dir, (listings.get(dir) ?? 0) + 1);
      return readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => {
          const full = path.join(dir, e.name);
          return {
            name: e.name,
            where: full,
            read: async () => {
              reads.set(full, (reads.get(full) ?? 0) + 1);
              return readFileSync(full);
            },
          };
        });
    };
    return { lister, listings, reads };
  }

  it("scans each folder once per run, reading each module once", async () => {
    const { lister, listings, reads } = countingLister();
    const scans = new FolderScans(lister);
    const folders = new Set(all.map((f) => path.dirname(f)));
    await Promise.all(all.map((f) => scans.sideLoadersOf(path.dirname(f), path.basename(f))));
    assert.equal(scans.scansStarted, folders.size);
    assert.deepEqual(
      [...listings.values()],
      [...folders].map(() => 1),
    );
    assert.ok(reads.size > 0);
    assert.deepEqual(
      [...reads.entries()].filter(([, n]) => n !== 1),
      [],
    );
  });

  it("gives the same triage records cached as scanning afresh for every file", async () => {
    const cached = await triageAll(all);
    const fresh = await triageAll(all, false);
    assert.equal(cached.scans, new Set(all.map((f) => path.dirname(f))).size);
    assert.equal(fresh.scans, all.length, "the uncached run scans a folder once per file in it");
    assert.equal(cached.records.length, all.length);
    assert.deepEqual(fresh.records, cached.records);
    const levels = new Set(cached.records.map((r) => r.indicators.find((i) => i.id === "location")?.level));
    assert.ok(levels.has("malicious") && levels.has("suspicious") && levels.has("unknown"));
  });

  it("parses exactly the import tables a full parse finds (headers and imports only)", () => {
    for (const f of all) {
      const bytes = readFileSync(f);
      let full;
      try {
        full = parsePe(bytes);
      } catch {
        assert.throws(() => parsePeImports(bytes), f);
        continue;
      }
      assert.deepEqual(parsePeImports(bytes).imports, full.imports, f);
    }
  });
});
