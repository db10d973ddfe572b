/**
 * Corpus test: every file listed in shared/corpus/truth.json is parsed permissively (and
 * strictly); only PeFormatError may escape, malformed files give a PeFormatError or anomalies,
 * and where pefile parsed the file our result is compared with the `pefile` block recorded in
 * truth.json (machine, sections with entropy, import / delay-import / export counts, version
 * strings, checksum, overlay, certificate entries). Skips when shared/ is absent.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { PeFormatError, parsePe, type PeImage } from "../../src/pe/index.js";
import { sharedDir } from "./helpers/paths.js";

interface TruthPefile {
  parsed: boolean;
  error?: string;
  machine?: { value: number };
  sections?: { name: string; raw_size: number; entropy: number }[];
  checksum?: { computed: number };
  imports?: { function_count: number; dll_count: number };
  delay_imports?: { function_count: number; dll_count: number };
  exports?: { parsed: boolean; count?: number };
  version?: { present: boolean; strings?: Record<string, string> };
  overlay?: { offset: number | null; size: number };
  certificate_table?: {
    offset: number;
    size: number;
    entries: { offset: number; length: number; revision: number; type: number }[];
  };
}
interface TruthFile {
  path: string;
  family: string;
  size: number;
  pefile: TruthPefile;
}

const corpusDir = sharedDir === undefined ? undefined : path.join(sharedDir, "corpus");
const truthPath = corpusDir === undefined ? undefined : path.join(corpusDir, "truth.json");
const skip =
  truthPath === undefined || !existsSync(truthPath)
    ? "shared/corpus/truth.json not found (it lives beside the repo in the development workspace only)"
    : false;

/** Disagreements with truth.json's pefile block that are explained, by path suffix and field. */
const EXPLAINED: Record<string, { field: string; why: string }[]> = {
  // pefile 2023.2.7 drops the whole export directory when NumberOfNames (0x7fffffff) exceeds
  // what the file can hold; we cap the count (count-over-limit anomaly) and keep the 3 real
  // exports, whose names are the first entries of the name table. Ours is the more useful.
  "malformed-export-numnames/export_numnames_huge.dll": [
    { field: "exports", why: "pefile drops the directory" },
  ],
};

function count(pe: PeImage, delay: boolean): number {
  return pe.imports.filter((m) => m.delayLoad === delay).reduce((n, m) => n + m.functions.length, 0);
}

function compareWithTruth(pe: PeImage, t: TruthPefile): string[] {
  const d: string[] = [];
  const eq = (field: string, ours: unknown, theirs: unknown): void => {
    if (JSON.stringify(ours) !== JSON.stringify(theirs))
      d.push(`${field}: ours ${JSON.stringify(ours)} vs pefile ${JSON.stringify(theirs)}`);
  };
  eq("machine", pe.fileHeader.machine, t.machine?.value);
  eq(
    "sections",
    pe.sections.map((s) => [s.name, s.sizeOfRawData]),
    (t.sections ?? []).map((s) => [s.name, s.raw_size]),
  );
  pe.sections.forEach((s, i) => {
    const theirs = t.sections?.[i]?.entropy;
    // truth.json rounds entropy to 4 decimals.
    if (theirs !== undefined && Math.abs(s.entropy - theirs) > 0.01)
      d.push(`entropy ${s.name}: ${s.entropy} vs ${theirs}`);
  });
  eq("checksum", pe.computedCheckSum, t.checksum?.computed);
  eq("imports", count(pe, false), t.imports?.function_count ?? 0);
  eq("delay imports", count(pe, true), t.delay_imports?.function_count ?? 0);
  eq("exports", pe.exports?.functions.length ?? 0, t.exports?.parsed ? t.exports.count : 0);
  const sorted = (o: Record<string, string> | undefined): [string, string][] =>
    Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  eq("version strings", sorted(pe.versionInfo?.strings), sorted(t.version?.present ? t.version.strings : {}));
  // pefile's overlay includes the certificate table and ignores sections whose raw data runs past
  // EOF; ours excludes the table, and clips those sections at EOF instead (so truncated files have
  // no overlay: their tail is section data). Compare only where the second difference cannot arise.
  if (!pe.anomalies.some((a) => a.code === "section-raw-data-past-eof")) {
    const table = pe.certificateTable;
    const certBytesInFile =
      table === undefined
        ? 0
        : Math.max(
            0,
            Math.min(table.offset + table.size, pe.size) - Math.max(table.offset, pe.overlay.offset),
          );
    eq("overlay + certificate table", pe.overlay.size + certBytesInFile, t.overlay?.size ?? 0);
  }
  const tableEntries = (t.certificate_table?.entries ?? []).map((e) => [
    e.offset,
    e.length,
    e.revision,
    e.type,
  ]);
  eq(
    "certificate entries",
    (pe.certificateTable?.entries ?? []).map((e) => [e.offset, e.length, e.revision, e.certificateType]),
    tableEntries,
  );
  return d;
}

describe("dev corpus (shared/corpus/truth.json)", { skip }, () => {
  const truth = skip
    ? { files: [] as TruthFile[] }
    : (JSON.parse(readFileSync(truthPath!, "utf8")) as { files: TruthFile[] });

  it("lists files to test", () => {
    assert.ok(truth.files.length > 0);
  });

  let totalMs = 0;
  for (const file of truth.files) {
    it(file.path, (t) => {
      const bytes = readFileSync(path.join(corpusDir!, file.path));
      assert.equal(bytes.length, file.size);
      for (const mode of ["strict", "permissive"] as const) {
        let pe: PeImage | undefined;
        const t0 = performance.now();
        try {
          pe = parsePe(bytes, { mode });
        } catch (error) {
          assert.ok(
            error instanceof PeFormatError,
            `${mode}: only PeFormatError may escape, got ${String(error)}`,
          );
          assert.equal(typeof error.code, "string");
        }
        if (mode === "strict") continue;
        totalMs += performance.now() - t0;
        if (!file.pefile.parsed) {
          assert.equal(pe, undefined, `pefile refused this file (${file.pefile.error}); so must we`);
          continue;
        }
        assert.ok(pe, "pefile parsed this file; so must we (permissively)");
        if (file.family.startsWith("malformed-"))
          assert.ok(pe.anomalies.length > 0, "a malformed file parses only with anomalies");
        const explained = EXPLAINED[Object.keys(EXPLAINED).find((k) => file.path.endsWith(k)) ?? ""] ?? [];
        const diffs = compareWithTruth(pe, file.pefile).filter(
          (d) => !explained.some((e) => d.startsWith(e.field)),
        );
        assert.deepEqual(diffs, []);
      }
      t.diagnostic(`permissive parse time so far: ${totalMs.toFixed(1)} ms`);
    });
  }
});
