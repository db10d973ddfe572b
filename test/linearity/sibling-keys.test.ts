/**
 * Building and walking registry trees with many sibling keys or values. Each lookup used to scan
 * the siblings (`Array.prototype.find` comparing upper-cased names, or, in a hive, re-reading every
 * sibling's `nk` cell), so a key with n subkeys cost O(n²): the times before the fix are given per
 * test. The case is 15 000 sibling keys.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRegFileRegistryPort } from "../../src/adapters/bundle/reg-file-registry-port.js";
import { RegExeRegistry } from "../../src/adapters/live/index.js";
import type { Exec } from "../../src/ports/exec.js";
import { serializeRegistry } from "../../src/bundle/registry-members.js";
import type { RegKey } from "../../src/ports/registry.js";
import {
  applyRegOperations,
  newRegTreeKey,
  openHive,
  parseRegFile,
  writeHive,
  type RegTreeKey,
} from "../../src/registry/index.js";
import { assertLinear } from "../helpers/linearity.js";

const HEADER = "Windows Registry Editor Version 5.00\r\n\r\n";

/** `.reg` text with `n` sibling keys under one parent, each holding one value. */
function siblingsReg(n: number): string {
  const lines = [HEADER];
  for (let i = 0; i < n; i++)
    lines.push(`[HKEY_LOCAL_MACHINE\\SOFTWARE\\Parent\\Key${i}]\r\n"V"=dword:1\r\n\r\n`);
  return lines.join("");
}

describe("linearity: registry trees with many siblings", () => {
  it(".reg file with 15 000 sibling keys (parse, apply, look each one up)", async () => {
    // Before: 3 750 siblings already took 11.6 s (loaded build machine); 15 000 take minutes.
    await assertLinear(
      ".reg siblings",
      (n) => {
        const text = siblingsReg(n);
        return async () => {
          const port = createRegFileRegistryPort([{ name: "s.reg", content: text }]);
          const parent = await port.getKey("HKLM\\SOFTWARE\\Parent");
          assert.equal(parent?.subkeys.length, n);
          for (const name of parent.subkeys)
            assert.equal((await port.getKey(`HKLM\\SOFTWARE\\Parent\\${name}`))?.values.length, 1);
        };
      },
      { n: 3_750 },
    );
  });

  it("one key with many values, set twice each (applyRegOperations)", async () => {
    // Before: 5 000 values already took 14.8 s (loaded build machine).
    await assertLinear(
      ".reg values",
      (n) => {
        const lines = [HEADER, "[HKEY_CURRENT_USER\\K]\r\n"];
        for (let i = 0; i < n; i++) lines.push(`"Value${i}"=dword:1\r\n`);
        for (let i = 0; i < n; i++) lines.push(`"VALUE${i}"=dword:2\r\n`);
        const ops = parseRegFile(lines.join("")).operations;
        return () => {
          const tree = applyRegOperations(ops);
          const k = tree.subkeys[0]!.subkeys[0]!;
          assert.equal(k.values.length, n);
          assert.equal(k.values[n - 1]!.name, `VALUE${n - 1}`);
        };
      },
      { n: 5_000 },
    );
  });

  it("hive with 15 000 sibling keys (open, look each one up by path)", async () => {
    // Before: 1 000 siblings already took 9.6 s (every lookup re-read all sibling nk cells).
    await assertLinear(
      "hive siblings",
      (n) => {
        const parent: RegTreeKey = newRegTreeKey("Parent");
        for (let i = 0; i < n; i++) parent.subkeys.push(newRegTreeKey(`Key${i}`));
        const bytes = writeHive({ name: "ROOT", values: [], subkeys: [parent] });
        return () => {
          const hive = openHive(bytes);
          const names = hive
            .getKey("Parent")!
            .subkeys()
            .map((k) => k.name);
          assert.equal(names.length, n);
          for (const name of names) assert.equal(hive.getKey(`Parent\\${name}`)?.name, name);
        };
      },
      { n: 3_750 },
    );
  });

  it("reg query /s output with 15 000 sibling keys (RegExeRegistry.prefetch)", async () => {
    // Before: 3 750 siblings took 3.6 s, so 15 000 take about a minute.
    await assertLinear(
      "reg query /s siblings",
      (n) => {
        const lines = ["", "HKEY_CURRENT_USER\\Software\\Parent", ""];
        for (let i = 0; i < n; i++)
          lines.push(`HKEY_CURRENT_USER\\Software\\Parent\\Key${i}`, "    V    REG_SZ    x", "");
        const stdout = lines.join("\r\n");
        const exec: Exec = async () => ({ stdout, stderr: "", code: 0 });
        return async () => {
          const reg = new RegExeRegistry({ exec });
          assert.equal(await reg.prefetch("HKCU\\Software\\Parent"), n + 1);
          assert.equal((await reg.getKey("HKCU\\Software\\Parent"))?.subkeys.length, n);
        };
      },
      { n: 3_750 },
    );
  });

  it("bundle registry members with 15 000 recorded sibling keys (serializeRegistry)", async () => {
    // Before: 3 750 siblings already took 9.4 s.
    await assertLinear(
      "serializeRegistry siblings",
      (n) => {
        const keys = new Map<string, RegKey>();
        for (let i = 0; i < n; i++) {
          const path = `HKLM\\SOFTWARE\\Parent\\Key${i}`;
          keys.set(path.toUpperCase(), { path, name: `Key${i}`, values: [], subkeys: [] });
        }
        return () => assert.equal(serializeRegistry({ keys }).members.size, 1);
      },
      { n: 3_750 },
    );
  });
});
