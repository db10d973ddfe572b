/** Tests of `exportHiveAsReg` / `exportHiveFileAsReg` on fixtures and writer-made hives. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import {
  RegistryError,
  encodeRegString,
  exportHiveAsReg,
  exportHiveFileAsReg,
  openHive,
  parseRegFile,
  regTreeToExportKeys,
  writeHive,
  applyRegOperations,
  findKey,
} from "../../src/registry/index.js";
import { hiveFixtureDir } from "./helpers.js";

const fixture = (n: string): Uint8Array => new Uint8Array(readFileSync(path.join(hiveFixtureDir, n)));

describe("exportHiveAsReg", () => {
  it("exports a subtree under rootName, in stored order, with CRLF", () => {
    const h = openHive(fixture("ntuser-office16.hiv"));
    const text = exportHiveAsReg(h, {
      keyPath: "software\\microsoft\\office\\16.0\\outlook",
      rootName: "HKEY_CURRENT_USER\\",
    });
    const lines = text.split("\r\n");
    assert.equal(lines[0], "Windows Registry Editor Version 5.00");
    assert.equal(lines[2], "[HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook]");
    assert.equal(lines[3], '"DefaultProfile"="Outlook"');
    assert.ok(!/[^\r]\n/.test(text), "CRLF only");
    const keys = lines.filter((l) => l.startsWith("["));
    assert.ok(
      keys.includes("[HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Kerio]"),
    );
    assert.ok(
      keys.every((k) => k.startsWith("[HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook")),
    );
  });
  it("defaults rootName to the root key's stored name", () => {
    const h = openHive(
      writeHive({ name: "$$$PROTO.HIV", values: [], subkeys: [{ name: "A", values: [], subkeys: [] }] }),
    );
    assert.match(exportHiveAsReg(h), /\r\n\[\$\$\$PROTO\.HIV\]\r\n\r\n\[\$\$\$PROTO\.HIV\\A\]\r\n/);
  });
  it("a missing keyPath is not-found", () => {
    const h = openHive(fixture("empty.hiv"));
    assert.throws(
      () => exportHiveAsReg(h, { keyPath: "No\\Such" }),
      (e) => e instanceof RegistryError && e.code === "not-found" && e.path === "No\\Such",
    );
  });
  it("exported text parses back to the same values (big data, ri, UTF-16 names)", () => {
    const bytes = fixture("ntuser-writer.hiv");
    const h = openHive(bytes);
    const tree = applyRegOperations(parseRegFile(exportHiveAsReg(h, { rootName: "R" })).operations);
    const big = findKey(tree, ["R", "Software", "koff-doctor-fixture", "Big"])!;
    const blob = big.values.find((v) => v.name === "Blob")!;
    assert.equal(blob.data.length, 40000);
    assert.deepEqual(
      Buffer.from(blob.data),
      Buffer.from(h.getKey("Software\\koff-doctor-fixture\\Big")!.value("Blob")!.data),
    );
    assert.equal(findKey(tree, ["R", "Software", "koff-doctor-fixture", "Many"])!.subkeys.length, 40);
    const uni = findKey(tree, ["R", "Software", "koff-doctor-fixture", "Ключ"])!;
    assert.deepEqual(Buffer.from(uni.values[0]!.data), Buffer.from(encodeRegString("Значение")));
  });
});

describe("exportHiveFileAsReg", () => {
  it("notes a dirty hive and anomalies as comments (permissive by default)", () => {
    const b = writeHive(
      { name: "R", values: [], subkeys: [{ name: "A", values: [], subkeys: [] }] },
      { sequence: 3, secondarySequence: 2 },
    );
    b[200] = b[200]! ^ 1; // breaks the checksum
    const text = exportHiveFileAsReg(b);
    assert.match(text, /\r\n; hive is dirty \(sequence numbers 3 != 2\)/);
    assert.match(text, /\r\n; anomaly bad-checksum at offset 508: /);
    assert.equal(parseRegFile(text).operations.length, 2, "comments do not disturb parsing");
  });
  it("strict mode throws on the same hive", () => {
    const b = writeHive({ name: "R", values: [], subkeys: [] });
    b[200] = b[200]! ^ 1;
    assert.throws(
      () => exportHiveFileAsReg(b, { mode: "strict" }),
      (e) => e instanceof RegistryError && e.code === "bad-checksum",
    );
  });
});

describe("regTreeToExportKeys", () => {
  it("lists keys depth-first with full paths", () => {
    const tree = applyRegOperations(parseRegFile('REGEDIT4\n[HKLM\\A\\B]\n"v"="1"\n[HKLM\\C]\n').operations);
    assert.deepEqual(
      regTreeToExportKeys(tree, "").map((k) => [k.path, k.values.length]),
      [
        ["HKLM", 0],
        ["HKLM\\A", 0],
        ["HKLM\\A\\B", 1],
        ["HKLM\\C", 0],
      ],
    );
  });
});
