/**
 * utf16le's short-string path gives exactly what TextDecoder("utf-16le") gives: lone surrogates
 * become U+FFFD, a leading byte-order mark is dropped, an odd trailing byte is ignored.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { utf16le } from "../../src/util/byte-reader.js";

const reference = (bytes: Uint8Array): string =>
  new TextDecoder("utf-16le").decode(bytes.subarray(0, bytes.length & ~1));

const units = (...codes: number[]): Uint8Array => {
  const out = new Uint8Array(codes.length * 2);
  codes.forEach((c, i) => {
    out[2 * i] = c & 0xff;
    out[2 * i + 1] = c >> 8;
  });
  return out;
};

describe("utf16le", () => {
  it("matches TextDecoder on edge cases", () => {
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      new Uint8Array([0x41]),
      units(0x41, 0x42),
      new Uint8Array([0x41, 0x00, 0x42]),
      units(0xfeff, 0x41),
      units(0x41, 0xfeff),
      units(0xd800),
      units(0x41, 0xdc00, 0x42),
      units(0xd83d, 0xde00),
      units(0xde00, 0xd83d),
      units(0x00, 0xffff, 0xe9, 0x20ac),
      units(...Array.from({ length: 64 }, (_, i) => 0x41 + (i % 26))),
      units(...Array.from({ length: 65 }, (_, i) => 0x41 + (i % 26))),
    ];
    for (const bytes of cases)
      assert.equal(utf16le(bytes), reference(bytes), Buffer.from(bytes).toString("hex"));
  });

  it("matches TextDecoder on random short strings rich in surrogates and BOMs", () => {
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) >>> 0);
    const pool = [0x41, 0xe9, 0xfeff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83d, 0xde00, 0x0, 0xffff];
    for (let n = 0; n < 2000; n++) {
      const length = next() % 70;
      const codes = Array.from({ length }, () =>
        next() % 3 === 0 ? next() & 0xffff : pool[next() % pool.length]!,
      );
      const bytes = units(...codes);
      assert.equal(utf16le(bytes), reference(bytes), Buffer.from(bytes).toString("hex"));
    }
  });
});
