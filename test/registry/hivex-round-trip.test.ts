/**
 * Round trip against hivex: for every fixture hive, our `exportHiveAsReg` and
 * `hivexregedit --export` describe the same keys and values after the normalization documented
 * in helpers.ts and docs/registry.md. Also: our export re-imported by hivexregedit into our seed
 * hive gives back a hive whose export matches again. Skips when hivexregedit is not installed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { exportHiveAsReg, exportHiveFileAsReg, openHive, writeEmptyHive } from "../../src/registry/index.js";
import { fixtureHives, hiveFixtureDir, hivexExport, hivexregeditPath, normalizeRegText } from "./helpers.js";

const hivex = hivexregeditPath();
const skip = hivex === undefined ? "hivexregedit not installed (apt-get install libwin-hivex-perl)" : false;
const PREFIX = "HKEY_LOCAL_MACHINE\\FIXTURE";

describe("round trip against hivexregedit --export", () => {
  for (const name of fixtureHives) {
    it(`${name}: our export == hivex export (normalized)`, { skip }, () => {
      const file = path.join(hiveFixtureDir, name);
      const ours = exportHiveAsReg(openHive(readFileSync(file)), { rootName: PREFIX });
      const theirs = hivexExport(file, PREFIX);
      const a = normalizeRegText(ours);
      const b = normalizeRegText(theirs);
      assert.ok(a.length >= 1);
      assert.deepEqual(a, b);
    });
  }

  it("the comparison can fail: a changed byte shows up", { skip }, () => {
    const file = path.join(hiveFixtureDir, "ntuser-office16.hiv");
    const bytes = new Uint8Array(readFileSync(file));
    const ours = normalizeRegText(exportHiveAsReg(openHive(bytes), { rootName: PREFIX }));
    const theirs = normalizeRegText(hivexExport(file, PREFIX));
    const tampered = theirs.map((l) => l.replace("6b006f0066006d00", "6b006f0066006e00"));
    assert.notDeepEqual(ours, tampered);
  });

  it(
    "our export merged by hivexregedit into our seed reproduces the hive (writer seed + export → hivex)",
    { skip },
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), "koff-reg-"));
      try {
        for (const name of ["SOFTWARE.hiv", "ntuser-writer.hiv"]) {
          const original = readFileSync(path.join(hiveFixtureDir, name));
          // hexStrings: hivexregedit takes quoted strings as raw bytes (no decoding), so non-ASCII text
          // would be mangled; byte lists are exact. It also wants no section for the prefix itself.
          const text = exportHiveFileAsReg(original, { rootName: PREFIX, hexStrings: true });
          const regFile = path.join(dir, "in.reg");
          writeFileSync(regFile, text.replace(/\r\n/g, "\n").replace(`[${PREFIX}]\n`, ""), "utf8");
          const seed = path.join(dir, "seed.hiv");
          writeFileSync(seed, writeEmptyHive());
          execFileSync("hivexregedit", ["--merge", "--prefix", PREFIX, seed, regFile], {
            stdio: ["ignore", "ignore", "pipe"],
          });
          const again = exportHiveAsReg(openHive(readFileSync(seed)), { rootName: PREFIX });
          assert.deepEqual(normalizeRegText(again), normalizeRegText(text), name);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
