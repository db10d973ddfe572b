/**
 * Trailing-backslash trimming of key paths (`.reg` key lines, `reg query` key lines, paths given to
 * the reg.exe port, export root names, joined key parts). `s.replace(/\\+$/, "")` is quadratic
 * in V8 on a long run of backslashes that is not at the end; the input here is exactly that.
 * Before the fix, 40 000 backslashes already took 12–24 s per call site (measured once on the
 * shared, loaded build machine; 1.8 s on an idle one), so 1 280 000 take hours.
 * Both sizes are over V8's large-object threshold (128 KiB), so the two runs allocate alike.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RegExeRegistry } from "../../src/adapters/live/index.js";
import type { Exec } from "../../src/ports/exec.js";
import { parseRegQueryOutput } from "../../src/windows/tool-output/index.js";
import { exportHiveAsReg, openHive, parseRegFile, writeHive } from "../../src/registry/index.js";
import { joinKey } from "../../src/windows/registry-read.js";
import { assertLinear } from "../helpers/linearity.js";

/**
 * 160 000 → 1 280 000 backslashes. These runs take a millisecond or less, where cache effects
 * alone can double a ratio, so the sizes are 8× apart: linear ≈ 8, quadratic ≈ 64, limit 24.
 */
const SIZES = { n: 160_000, factor: 8, maxRatio: 24 };
const run = (n: number) => "\\".repeat(n);

describe("linearity: trailing-backslash trimming of key paths", () => {
  it(".reg key line [A\\\\…\\\\B] (parseRegFile)", async () => {
    await assertLinear(
      "parseRegFile key path",
      (n) => {
        const text = `Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\A${run(n)}B]\r\n`;
        return () => {
          const ops = parseRegFile(text).operations;
          assert.equal(ops[0]?.path.length, n + "HKEY_CURRENT_USER\\A".length + 1);
        };
      },
      SIZES,
    );
  });

  it(".reg key line ending in a long run of backslashes keeps its trimming", () => {
    const ops = parseRegFile(`REGEDIT4\r\n[HKEY_CURRENT_USER\\A${run(10)}]\r\n`).operations;
    assert.equal(ops[0]?.path, "HKEY_CURRENT_USER\\A");
  });

  it("reg query key line (parseRegQueryOutput)", async () => {
    await assertLinear(
      "parseRegQueryOutput key line",
      (n) => {
        const text = `\r\nHKEY_LOCAL_MACHINE\\A${run(n)}B\r\n`;
        return () => assert.equal(parseRegQueryOutput(text).blocks.length, 1);
      },
      SIZES,
    );
  });

  it("paths given to the reg.exe port (getKey, prefetch)", async () => {
    const missing: Exec = async () => ({ stdout: "", stderr: "ERROR: not found", code: 1 });
    await assertLinear(
      "RegExeRegistry.getKey/prefetch path",
      (n) => {
        const path = `HKLM\\A${run(n)}B`;
        return async () => {
          const reg = new RegExeRegistry({ exec: missing });
          assert.equal(await reg.getKey(path), undefined);
          assert.equal(await reg.prefetch(path), 0);
        };
      },
      SIZES,
    );
  });

  it("export root name (exportHiveAsReg)", async () => {
    const hive = openHive(writeHive({ name: "ROOT", values: [], subkeys: [] }));
    await assertLinear(
      "exportHiveAsReg rootName",
      (n) => {
        const rootName = `HKEY_LOCAL_MACHINE\\A${run(n)}B`;
        return () => assert.ok(exportHiveAsReg(hive, { rootName }).includes("B]"));
      },
      SIZES,
    );
  });

  it("joined key parts (joinKey)", async () => {
    await assertLinear(
      "joinKey",
      (n) => {
        const part = `A${run(n)}B`;
        return () => assert.equal(joinKey("HKLM", part).length, n + 7);
      },
      SIZES,
    );
  });
});
