/**
 * MAPISVC.INF lookups. Every `lookupInf` scanned (and copied) every entry of every occurrence of
 * the section, so a file whose services and providers name one big section many times cost
 * O(lookups × entries). Times before the fix are per test.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lookupInf, parseMapiSvcInf } from "../../src/windows/mapisvc-inf.js";
import { assertLinear } from "../helpers/linearity.js";

describe("linearity: MAPISVC.INF lookups", () => {
  it("looking up each key of a section with many keys", async () => {
    // Before: 2 500 keys took 1.5 s, so 10 000 take about 24 s.
    await assertLinear(
      "lookupInf per key",
      (n) => {
        const lines = ["[Services]", "Big=Big service", "[Big]"];
        for (let i = 0; i < n; i++) lines.push(`Key${i}=value ${i}`);
        const bytes = new TextEncoder().encode(lines.join("\r\n"));
        return () => {
          const inf = parseMapiSvcInf(bytes);
          for (let i = 0; i < n; i++) assert.equal(lookupInf(inf, "big", `KEY${i}`)?.value, `value ${i}`);
        };
      },
      { n: 2_500 },
    );
  });
});
