/**
 * The side-loading search (src/triage/sibling-loaders.ts): how an import names a file, and what
 * a capped or unreadable folder says (side-loading unknown, never a silent "none").
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { loadKnowledge } from "../../src/knowledge/index.js";
import { locationIndicator } from "../../src/triage/indicators/location.js";
import {
  FolderScans,
  MAX_SIBLING_MODULE_BYTES,
  MAX_SIBLING_MODULES,
  NOT_READ_SHOWN,
  importNamesFile,
  sideLoadersOf,
  type FolderFile,
  type FolderScan,
  type SiblingModule,
} from "../../src/triage/sibling-loaders.js";
import type { TriageSubject } from "../../src/triage/subject.js";
import { fakePe } from "../helpers/fake-pe.js";
import { FIXTURES } from "../helpers/repo.js";

const DIR = "C:\\Users\\bob\\Downloads\\kit";
/** An EXE importing "KOFMSP.DLL" (fixtures/triage-rules, kit 4a). */
const UPDATER = readFileSync(
  path.join(FIXTURES, "triage-rules", "sideload", "Users", "bob", "Downloads", "kit", "Updater.exe"),
);

function file(name: string, bytes: Uint8Array | "too-large" | undefined, size?: number): FolderFile {
  return { name, where: `${DIR}\\${name}`, size, read: async () => bytes };
}

function subjectFor(search: Awaited<ReturnType<FolderScans["sideLoadersOf"]>>): TriageSubject {
  return {
    fileName: "kofmsp.dll",
    windowsPath: `${DIR}\\kofmsp.dll`,
    windowsPathOrigin: "native",
    size: 200_000,
    pe: fakePe(),
    signature: { state: "valid", signatureCount: 1, anomalies: [] },
    knowledge: loadKnowledge(),
    loadPositions: search.positions,
    siblingSearch: search.search,
  };
}

describe("importNamesFile: an import names a file as the loader reads it", () => {
  const names = (dll: string, file = "kofmsp.dll") => importNamesFile(dll, DIR, file);
  it("ignores case", () => {
    assert.ok(names("KOFMSP.DLL"));
    assert.ok(names("KofMsp.Dll"));
  });
  it("adds .dll to a name without extension; a trailing dot means no extension", () => {
    assert.ok(names("kofmsp"));
    assert.ok(!names("kofmsp."));
    assert.ok(importNamesFile("kofmsp.", DIR, "kofmsp"));
  });
  it("resolves relative paths from the importer's folder", () => {
    assert.ok(names(".\\kofmsp.dll"));
    assert.ok(names("./kofmsp.dll"));
    assert.ok(names("..\\kit\\kofmsp.dll"));
    assert.ok(!names("sub\\kofmsp.dll"));
    assert.ok(!names("..\\other\\kofmsp.dll"));
  });
  it("matches a full path only when it is this file", () => {
    assert.ok(names("c:\\users\\BOB\\downloads\\kit\\kofmsp.dll"));
    assert.ok(!names("C:\\Windows\\System32\\kofmsp.dll"));
  });
  it("reads full paths in the forms the loader opens: \\\\?\\ and \\\\.\\ prefixes, rooted paths, the ::$DATA stream", () => {
    assert.ok(names("\\\\?\\C:\\Users\\bob\\Downloads\\kit\\kofmsp.dll"));
    assert.ok(names("\\\\.\\C:\\Users\\bob\\Downloads\\kit\\kofmsp.dll"));
    assert.ok(!names("\\\\?\\C:\\Windows\\System32\\kofmsp.dll"));
    // Rooted: the drive is the current one, taken as the importer's.
    assert.ok(names("\\Users\\bob\\Downloads\\kit\\kofmsp.dll"));
    assert.ok(!names("\\kit\\kofmsp.dll"));
    // NTFS: "name::$DATA" opens the file's unnamed data stream, the file itself.
    assert.ok(names("kofmsp.dll::$DATA"));
    assert.ok(names("KOFMSP.DLL::$data"));
    assert.ok(!names("kofmsp.dll:payload"));
  });
  it("keeps kofmsp.dll and kofmsp32.dll apart (MAPI's '32' rule is not the loader's)", () => {
    assert.ok(!names("kofmsp.dll", "kofmsp32.dll"));
    assert.ok(!names("kofmsp32.dll", "kofmsp.dll"));
  });
});

describe("FolderScans: caps and unreadable modules", () => {
  it("finds the importer and reports a complete search", async () => {
    const scans = new FolderScans(async () => [
      file("Updater.exe", UPDATER),
      file("kofmsp.dll", new Uint8Array(4)),
    ]);
    const found = await scans.sideLoadersOf(DIR, "kofmsp.dll");
    assert.deepEqual(found.positions, [
      { kind: "next-to-exe", where: `${DIR}\\Updater.exe (imports "KOFMSP.DLL")` },
    ]);
    assert.deepEqual(found.search, {
      candidates: 1,
      read: 1,
      notRead: 0,
      notReadBy: {},
      notReadExamples: [],
      listed: true,
    });
    assert.equal(locationIndicator(subjectFor(found)).level, "malicious");
  });

  it("over the module cap, side-loading is unknown, not silently absent", async () => {
    // The importer sorts last ("zz"), past the cap: the search must not claim there is none.
    const many = Array.from({ length: MAX_SIBLING_MODULES + 20 }, (_, i) =>
      file(`a${String(i).padStart(4, "0")}.exe`, new Uint8Array(64)),
    );
    const scans = new FolderScans(async () => [...many, file("zz-Updater.exe", UPDATER)]);
    const found = await scans.sideLoadersOf(DIR, "kofmsp.dll");
    assert.deepEqual(found.positions, []);
    assert.equal(found.search.notRead, 21);
    assert.deepEqual(found.search.notReadBy, { "count-cap": 21 });
    assert.equal(found.search.notReadExamples.length, NOT_READ_SHOWN);
    assert.equal(
      found.search.notReadExamples.at(-1)?.where,
      `${DIR}\\a${String(MAX_SIBLING_MODULES + 7).padStart(4, "0")}.exe`,
    );
    const i = locationIndicator(subjectFor(found));
    assert.equal(i.level, "suspicious");
    assert.equal(i.details?.["sideLoading"], "unknown");
    assert.match(
      i.evidence,
      new RegExp(
        `side-loading unknown: 21 of ${MAX_SIBLING_MODULES + 21} modules beside it were not read \\(21 count-cap\\)$`,
      ),
    );
  });

  it("a module over the size cap (padding an EXE to evade) or unreadable makes it unknown", async () => {
    let asked = false;
    const huge: FolderFile = {
      name: "Big.exe",
      where: `${DIR}\\Big.exe`,
      size: MAX_SIBLING_MODULE_BYTES + 1,
      read: async () => {
        asked = true;
        return UPDATER;
      },
    };
    const scans = new FolderScans(async () => [
      huge,
      file("Gone.exe", undefined),
      file("Padded.exe", "too-large"),
    ]);
    const found = await scans.sideLoadersOf(DIR, "kofmsp.dll");
    assert.equal(asked, false, "a file the listing says is over the cap is never read");
    assert.deepEqual(
      found.search.notReadExamples.map((n) => n.reason),
      ["size-cap", "unreadable", "size-cap"],
    );
    assert.match(
      locationIndicator(subjectFor(found)).evidence,
      /side-loading unknown: 3 of 3 modules .*\(2 size-cap, 1 unreadable\)/,
    );
  });

  it("an unlistable folder makes it unknown; an empty one is a complete search", async () => {
    const none = await new FolderScans(async () => undefined).sideLoadersOf(DIR, "kofmsp.dll");
    assert.match(
      locationIndicator(subjectFor(none)).evidence,
      /side-loading unknown: its folder could not be listed/,
    );
    const empty = await new FolderScans(async () => []).sideLoadersOf(DIR, "kofmsp.dll");
    const i = locationIndicator(subjectFor(empty));
    assert.equal(i.details?.["sideLoading"], "none-found");
    assert.doesNotMatch(i.evidence, /unknown/);
  });

  it("concurrent requests share one scan", async () => {
    let listings = 0;
    const scans = new FolderScans(async () => {
      listings++;
      return [file("Updater.exe", UPDATER)];
    });
    await Promise.all(["kofmsp.dll", "a.dll", "b.dll"].map((n) => scans.sideLoadersOf(DIR, n)));
    assert.equal(listings, 1);
  });
});

describe("sideLoadersOf: the scan's import index finds what matching every import finds", () => {
  const IMPORTS = [
    "kofmsp.dll",
    "KOFMSP",
    "kofmsp.",
    ".\\kofmsp.dll",
    "..\\kit\\kofmsp.dll",
    `${DIR}\\KOFMSP.DLL`,
    `\\\\?\\${DIR}\\kofmsp.dll`,
    "\\Users\\bob\\Downloads\\kit\\kofmsp.dll",
    "kofmsp.dll::$DATA",
    "kofmsp32.dll",
    "other.dll",
    "a\\b.dll",
    "",
    "\\\\server\\share\\kofmsp.dll",
  ];
  const FILES = ["kofmsp.dll", "KOFMSP.DLL", "kofmsp", "kofmsp32.dll", "other.dll", "a\\b.dll", "b.dll"];

  /** The matching the index replaced: each module's first import naming the file. */
  function bruteForce(modules: SiblingModule[], fileName: string): string[] {
    return modules
      .filter((m) => m.name.toLowerCase() !== fileName.toLowerCase())
      .flatMap((m) => {
        const hit = m.imports.find((i) => importNamesFile(i.dll, DIR, fileName));
        return hit ? [`${m.where} (imports "${hit.dll}"${hit.delayLoad ? ", delay-load" : ""})`] : [];
      });
  }

  it("same positions, in module order, for every file name over 200 random folders", () => {
    let x = 7;
    const next = (below: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % below;
    for (let round = 0; round < 200; round++) {
      const modules: SiblingModule[] = Array.from({ length: 1 + next(6) }, (_, i) => {
        const name = next(4) === 0 ? FILES[next(FILES.length)]! : `m${i}.exe`;
        return {
          name,
          where: `${DIR}\\${name}`,
          isDll: next(2) === 0,
          imports: Array.from({ length: next(5) }, () => ({
            dll: IMPORTS[next(IMPORTS.length)]!,
            delayLoad: next(2) === 0,
          })),
        };
      });
      const scan: FolderScan = { folder: DIR, listed: true, candidates: [], modules, notRead: [] };
      for (const f of FILES) {
        const found = sideLoadersOf(scan, f).positions.map((p) => p.where);
        assert.deepEqual(found, bruteForce(modules, f), `round ${round}, file ${f}`);
      }
    }
  });
});
