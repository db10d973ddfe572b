import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RegType } from "../../src/ports/registry.js";
import {
  decodeUnicode,
  findValue,
  joinKey,
  parseMapiSvcInf,
  valueAsNumber,
  valueAsString,
} from "../../src/windows/index.js";
import { toRegValue, utf16z } from "./helpers/fake-registry.js";

describe("registry value views", () => {
  it("joins key paths and finds values case-insensitively", () => {
    assert.equal(
      joinKey("HKLM\\SOFTWARE\\", "\\Microsoft", "", "Office"),
      "HKLM\\SOFTWARE\\Microsoft\\Office",
    );
    const key = { path: "k", name: "k", subkeys: [], values: [toRegValue("DisplayName", "x")] };
    assert.equal(findValue(key, "displayname")?.value, "x");
    assert.equal(findValue(undefined, "x"), undefined);
  });

  it("reads strings from decoded values, raw REG_SZ bytes, MULTI_SZ and numbers", () => {
    assert.equal(valueAsString({ name: "", type: RegType.REG_SZ, data: utf16z("raw") }), "raw");
    assert.equal(valueAsString(toRegValue("m", ["first", "second"])), "first");
    assert.equal(valueAsString(toRegValue("n", 7)), "7");
    assert.equal(valueAsString({ name: "", type: RegType.REG_BINARY, data: new Uint8Array([1]) }), undefined);
    assert.equal(
      valueAsNumber({ name: "", type: RegType.REG_DWORD, data: new Uint8Array([1, 1, 0, 0]) }),
      257,
    );
    assert.equal(valueAsNumber(toRegValue("s", "0x10")), 16);
    assert.equal(valueAsNumber(toRegValue("s", "ten")), undefined);
    assert.equal(valueAsNumber(toRegValue("q", 5n)), 5);
  });

  it("stops PT_UNICODE at an even-offset double NUL only", () => {
    // "A" then U+0100 (bytes 00 01) — the 00 at an odd offset pairs with 01, not a terminator.
    assert.equal(decodeUnicode(new Uint8Array([0x41, 0x00, 0x00, 0x01, 0x00, 0x00, 0x42, 0x00])), "A\u0100");
    assert.equal(decodeUnicode(new Uint8Array([0x41, 0x00, 0x42])), "A", "odd trailing byte ignored");
  });

  it("reads a UTF-8 MAPISVC.INF with a BOM", () => {
    const inf = parseMapiSvcInf(new Uint8Array(Buffer.from("\ufeff[Services]\nK=Caf\u00e9\n", "utf8")));
    assert.equal(inf.encoding, "utf-8");
    assert.equal(inf.sections[0]?.entries[0]?.value, "Café");
  });
});
