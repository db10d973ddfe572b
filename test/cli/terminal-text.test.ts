/**
 * What the CLI writes to the terminal (src/cli/terminal-text.ts): every control character,
 * bidirectional control and line separator from the inspected machine is made visible, but for
 * the CLI's own newlines, tabs, progress carriage return and colour sequences. These tests try
 * every BMP code point alone and between letters, and the CLI's own sequences beside hostile ones.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { guardTerminalText, printable } from "../../src/cli/terminal-text.js";

/** The characters the module promises to escape in output (newline, tab and ESC judged apart). */
const isUnsafe = (c: number) =>
  (c <= 0x1f && c !== 0x0a && c !== 0x09) ||
  (c >= 0x7f && c <= 0x9f) ||
  c === 0x061c ||
  c === 0x200e ||
  c === 0x200f ||
  c === 0x2028 ||
  c === 0x2029 ||
  (c >= 0x202a && c <= 0x202e) ||
  (c >= 0x2066 && c <= 0x2069);

const visible = (c: number) => `\\u${c.toString(16).padStart(4, "0")}`;

describe("guardTerminalText", () => {
  it("escapes exactly the unsafe code points of the BMP, and leaves every other one as it is", () => {
    const wrong: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      const want = isUnsafe(c) ? `a${visible(c)}b` : `a${ch}b`;
      if (guardTerminalText(`a${ch}b`) !== want) wrong.push(visible(c));
    }
    assert.deepEqual(wrong, []);
  });

  it("keeps the CLI's own colour and erase-line sequences and a leading carriage return", () => {
    const own = "\r\u001b[1;31mmalicious\u001b[0m \u001b[K\n\tnext";
    assert.equal(guardTerminalText(own), own);
    // A carriage return that does not open the chunk, and ESC starting anything else, are not its own.
    assert.equal(guardTerminalText("x\ry"), "x\\u000dy");
    assert.equal(guardTerminalText("\u001b]52;c;AAAA\u0007"), "\\u001b]52;c;AAAA\\u0007");
    assert.equal(
      guardTerminalText("\u001b[31mred\u001b[0m evil\u202egpj.exe"),
      "\u001b[31mred\u001b[0m evil\\u202egpj.exe",
    );
  });

  it("returns a chunk with nothing to escape as the same string", () => {
    const plain = `{"path":"C:\\\\Windows\\\\System32\\\\kofmsp32.dll","verdict":"clean"}\n`.repeat(100);
    assert.equal(guardTerminalText(plain), plain);
  });
});

describe("printable", () => {
  it("escapes newline and tab too, for a name inside a line", () => {
    assert.equal(printable("a\nb\tc\u202ed"), "a\\u000ab\\u0009c\\u202ed");
    assert.equal(printable("kofmsp.dll"), "kofmsp.dll");
  });
});
