/**
 * Random-mutation test: a few thousand seeded mutations of the synthetic kitchen-sink PE
 * (helpers/build-pe.ts), PE32 and PE32+. Each case overwrites 1–8 bytes, or plants a random or
 * extreme 32-bit value (to hit counts, RVAs and lengths) at a 4-aligned offset, and is parsed in
 * both modes. Only a PeImage or a PeFormatError may come out; results respect the documented
 * caps; the slowest case is reported, not asserted (timing goals live in bench/). Deterministic: the PRNG seed is fixed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  MAX_ANOMALIES,
  MAX_CERTIFICATES,
  MAX_EXPORTS,
  MAX_IMPORT_FUNCTIONS_TOTAL,
  MAX_SECTIONS,
  PeFormatError,
  parsePe,
} from "../../src/pe/index.js";
import { seededRandom } from "../helpers/prng.js";
import { buildKitchenSinkPe } from "./helpers/build-pe.js";

const CASES_PER_FORMAT = 2000;
const EXTREMES = [
  0, 1, 7, 8, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff,
];

describe("random mutations: only PeFormatError or a result", () => {
  for (const format of ["PE32", "PE32+"] as const) {
    it(`${CASES_PER_FORMAT} mutations of the synthetic ${format} image`, (t) => {
      const base = buildKitchenSinkPe(format).bytes;
      const random = seededRandom(format === "PE32" ? 0x5eed0032 : 0x5eed0064);
      const pick = (n: number): number => Math.floor(random() * n);
      let results = 0;
      const codes = new Map<string, number>();
      let slowest = 0;
      for (let c = 0; c < CASES_PER_FORMAT; c++) {
        const bytes = base.slice();
        const view = new DataView(bytes.buffer);
        // Most cases hit the headers (first 1 KiB), where counts and RVAs live.
        const span = random() < 0.7 ? Math.min(1024, bytes.length) : bytes.length;
        const edits = 1 + pick(8);
        for (let e = 0; e < edits; e++) {
          if (random() < 0.5) {
            bytes[pick(span)] = pick(256);
          } else {
            const at = pick(Math.max(1, (span >> 2) - 1)) * 4;
            const value = random() < 0.5 ? EXTREMES[pick(EXTREMES.length)]! : Math.floor(random() * 2 ** 32);
            if (at + 4 <= bytes.length) view.setUint32(at, value >>> 0, true);
          }
        }
        for (const mode of ["permissive", "strict"] as const) {
          const t0 = performance.now();
          try {
            const pe = parsePe(bytes, { mode });
            results++;
            assert.ok(pe.sections.length <= MAX_SECTIONS);
            assert.ok(pe.anomalies.length <= MAX_ANOMALIES + 1);
            assert.ok((pe.exports?.functions.length ?? 0) <= MAX_EXPORTS);
            assert.ok(pe.imports.reduce((n, m) => n + m.functions.length, 0) <= MAX_IMPORT_FUNCTIONS_TOTAL);
            assert.ok((pe.certificateTable?.entries.length ?? 0) <= MAX_CERTIFICATES);
          } catch (error) {
            if (!(error instanceof PeFormatError)) {
              assert.fail(
                `case ${c} (${mode}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
              );
            }
            codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
          }
          const ms = performance.now() - t0;
          slowest = Math.max(slowest, ms);
        }
      }
      t.diagnostic(
        `${results} results; errors ${JSON.stringify(Object.fromEntries(codes))}; slowest case ${slowest.toFixed(1)} ms`,
      );
      assert.ok(results > 0, "some mutants must still parse");
      assert.ok(codes.size > 1, "mutations must reach several error codes");
    });
  }
});
