/**
 * Other live tool output parsed with patterns that were quadratic: `reg query` value lines holding
 * U+2028 (which `.` does not match, so the value-line regex backtracked from every type token), a
 * string value continued over many lines (re-joined and re-encoded on every line), and the `chcp`
 * answer (`/(\d+)\D*$/` on a long digit run). Times before the fix are per test.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { detectOemCodePage } from "../../src/adapters/live/index.js";
import type { Exec } from "../../src/ports/exec.js";
import { parseRegQueryOutput } from "../../src/windows/tool-output/index.js";
import { assertLinear } from "../helpers/linearity.js";

describe("linearity: live tool output", () => {
  it("reg query value line with U+2028 after many type tokens", async () => {
    // Before: 20 000 tokens already took 22 s (loaded machine).
    await assertLinear(
      "reg query U+2028 line",
      (n) => {
        const text = `HKEY_CURRENT_USER\\K\r\n    a${"    REG_SZ".repeat(n)}\u2028\r\n`;
        return () => assert.equal(parseRegQueryOutput(text).blocks[0]?.values.length, 0);
      },
      { n: 20_000 },
    );
  });

  it("reg query string value continued over many lines", async () => {
    // Before: 5 000 lines took 12 s (loaded machine), so 80 000 take far longer.
    await assertLinear(
      "reg query continuation lines",
      (n) => {
        const text = `HKEY_CURRENT_USER\\K\r\n    S    REG_SZ    first\r\n${"more text on the next line\r\n".repeat(n)}`;
        return () => {
          const v = parseRegQueryOutput(text).blocks[0]!.values[0]!;
          assert.equal((v.value as string).split("\n").length, n + 1);
          assert.equal(v.data.length, ((v.value as string).length + 1) * 2);
        };
      },
      { n: 20_000 },
    );
  });

  it("chcp answer with a long digit run", async () => {
    // Before: 40 000 digits already took 22 s (loaded machine; 2.6 s idle).
    await assertLinear(
      "chcp digit run",
      (n) => {
        const stdout = `${"1".repeat(n)}x850.`;
        const exec: Exec = async () => ({ stdout, stderr: "", code: 0 });
        return async () => assert.equal(await detectOemCodePage(exec), 850);
      },
      { n: 40_000 },
    );
  });
});
