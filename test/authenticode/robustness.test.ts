/**
 * Robustness: random corruption of the certificate table of signed fixtures (single bytes,
 * runs, truncations of the declared size) must never make `verifyAuthenticode` throw or hang.
 * Every result must still be one of the documented states. Deterministic (seeded PRNG).
 * No wall-clock cap (it flaked under load; timing goals live in bench/): a hang fails the run.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import {
  createTrustStore,
  defaultPolicy,
  STATES_BY_SEVERITY,
  verifyAuthenticode,
} from "../../src/authenticode/index.js";
import { seededRandom } from "../helpers/prng.js";
import { fixturesPeDir, fixturesPkiDir, loadPe, skipUnless, trustFile } from "./helpers.js";

const FILES = [
  "signed-valid-timestamped-x64.dll",
  "signed-nested-sha256-sha1-x64.dll",
  "signed-valid-pagehash-x64.dll",
];
const skip = skipUnless(path.join(fixturesPeDir, FILES[0]!), "fixtures/pe signed fixtures");

describe("robustness: corrupted certificate tables", { skip }, () => {
  const trust = skip
    ? undefined
    : createTrustStore({ files: [trustFile(path.join(fixturesPkiDir, "trust-anchors.pem"))] });
  for (const name of FILES) {
    it(`${name}: 300 random corruptions never throw`, () => {
      const { bytes, pe } = loadPe(path.join(fixturesPeDir, name));
      const table = pe.certificateTable!;
      const random = seededRandom(0x5eed ^ name.length);
      const policy = defaultPolicy(trust!, { at: new Date("2026-11-21T00:00:00Z"), signatures: "all" });
      const seen = new Set<string>();
      for (let i = 0; i < 300; i++) {
        const copy = Uint8Array.from(bytes);
        const kind = i % 3;
        const at = table.offset + Math.floor(random() * table.size);
        if (kind === 0) copy[at] = Math.floor(random() * 256);
        else if (kind === 1)
          copy.fill(
            Math.floor(random() * 256),
            at,
            Math.min(copy.length, at + 1 + Math.floor(random() * 64)),
          );
        else copy[at] = copy[at]! ^ (1 << Math.floor(random() * 8));
        const result = verifyAuthenticode(copy, pe, policy);
        assert.ok(STATES_BY_SEVERITY.includes(result.state), result.state);
        seen.add(result.state);
      }
      // Corruption must be noticed: most cases are not valid.
      assert.ok(seen.has("invalid") || seen.has("malformed"), `states seen: ${[...seen].join(", ")}`);
    });
  }

  it("a declared table larger than the file and zero-length tables are handled", () => {
    const { bytes, pe } = loadPe(path.join(fixturesPeDir, FILES[0]!));
    const policy = defaultPolicy(trust!, { at: new Date("2026-11-21T00:00:00Z") });
    for (const size of [1, 7, 8, 9, 100, 0x7fff_ffff]) {
      const dirs = pe.optionalHeader.dataDirectories.map((d) => (d.index === 4 ? { ...d, size } : d));
      const result = verifyAuthenticode(
        bytes,
        { ...pe, optionalHeader: { ...pe.optionalHeader, dataDirectories: dirs } },
        policy,
      );
      assert.ok(STATES_BY_SEVERITY.includes(result.state));
      assert.notEqual(result.state, "valid", `size ${size}`);
    }
  });
});
