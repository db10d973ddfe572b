/** Tests of the `.reg` text parser and writer: each syntax feature, both encodings, errors with line numbers, round trips. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  RegistryError,
  applyRegOperations,
  decodeRegText,
  encodeRegDword,
  encodeRegMultiString,
  encodeRegQword,
  encodeRegString,
  encodeRegText,
  findKey,
  formatRegText,
  formatRegValue,
  parseRegFile,
  writeRegFile,
  type RegOperation,
  type RegTreeValue,
} from "../../src/registry/index.js";

const V5 = "Windows Registry Editor Version 5.00";
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const sets = (ops: RegOperation[]) => ops.filter((o) => o.kind === "set-value");

function syntaxAt(text: string, line: number): RegistryError {
  try {
    parseRegFile(text);
  } catch (e) {
    assert.ok(e instanceof RegistryError);
    assert.equal(e.code, "reg-syntax", e.message);
    assert.equal(e.line, line, e.message);
    return e;
  }
  assert.fail("expected reg-syntax");
}

describe(".reg parser", () => {
  it("reads the v5 header, keys and string values with escapes", () => {
    const f = parseRegFile(
      `${V5}\r\n\r\n[HKEY_CURRENT_USER\\Software\\X]\r\n"a"="plain"\r\n"q"="say \\"hi\\" C:\\\\dir\\\\"\r\n@="default"\r\n`,
    );
    assert.equal(f.format, "5.00");
    assert.deepEqual(f.operations[0], {
      kind: "create-key",
      path: "HKEY_CURRENT_USER\\Software\\X",
      line: 3,
    });
    const s = sets(f.operations);
    assert.deepEqual(
      s.map((o) => o.kind === "set-value" && [o.name, o.type, o.line]),
      [
        ["a", 1, 4],
        ["q", 1, 5],
        ["", 1, 6],
      ],
    );
    assert.equal(
      hex(s[1]!.kind === "set-value" ? s[1]!.data : new Uint8Array()),
      hex(encodeRegString('say "hi" C:\\dir\\')),
    );
  });
  it("keeps unknown escapes as written (regedit does not interpret \\n)", () => {
    const f = parseRegFile(`${V5}\n[K]\n"n"="a\\nb"\n`);
    const op = f.operations[1]!;
    assert.ok(op.kind === "set-value");
    assert.equal(hex(op.data), hex(encodeRegString("a\\nb")));
  });
  it("escapes in value names", () => {
    const f = parseRegFile(`${V5}\n[K]\n"C:\\\\Users\\\\a \\"x\\""=dword:00000000\n`);
    const op = f.operations[1]!;
    assert.ok(op.kind === "set-value");
    assert.equal(op.name, 'C:\\Users\\a "x"');
  });
  it("dword: 1 to 8 hex digits, any case", () => {
    const f = parseRegFile(`${V5}\n[K]\n"a"=dword:0000002a\n"b"=DWORD:FFFFFFFF\n"c"=dword:7\n`);
    assert.deepEqual(
      sets(f.operations).map((o) => o.kind === "set-value" && hex(o.data)),
      ["2a000000", "ffffffff", "07000000"],
    );
    syntaxAt(`${V5}\n[K]\n"a"=dword:123456789\n`, 3);
    syntaxAt(`${V5}\n[K]\n"a"=dword:xyz\n`, 3);
  });
  it("hex:, hex(N): incl. hex(0), hex(2), hex(7), hex(b), empty lists, continuations and comments", () => {
    const text = [
      V5,
      "",
      "[K]",
      '"bin"=hex:01,02,\\',
      "  03,04,\\",
      "  05 ; a comment",
      '"none"=hex(0):',
      '"exp"=hex(2):25,00,00,00',
      '"multi"=hex(7):61,00,00,00,00,00',
      '"qw"=hex(b):01,00,00,00,00,00,00,00',
      '"odd"=hex(1234):aa',
      '"sp"=hex: 0a , 0b',
      "",
    ].join("\r\n");
    const s = sets(parseRegFile(text).operations);
    const got = s.map((o) => o.kind === "set-value" && [o.name, o.type, hex(o.data), o.line]);
    assert.deepEqual(got, [
      ["bin", 3, "0102030405", 4],
      ["none", 0, "", 7],
      ["exp", 2, "25000000", 8],
      ["multi", 7, "610000000000", 9],
      ["qw", 11, "0100000000000000", 10],
      ["odd", 0x1234, "aa", 11],
      ["sp", 3, "0a0b", 12],
    ]);
  });
  it("REGEDIT4: hex(2)/hex(7) are ANSI and widened to UTF-16LE", () => {
    const f = parseRegFile('REGEDIT4\n\n[K]\n"e"=hex(2):25,41,25,00\n"s"="x"\n"b"=hex:25,41\n');
    assert.equal(f.format, "REGEDIT4");
    const s = sets(f.operations);
    assert.deepEqual(
      s.map((o) => o.kind === "set-value" && hex(o.data)),
      ["2500410025000000", "78000000", "2541"],
    );
  });
  it('deletions: [-key], "v"=-, @=-', () => {
    const f = parseRegFile(`${V5}\n[-HKEY_CURRENT_USER\\Gone]\n\n[K]\n"v"=-\n@=-\n`);
    assert.deepEqual(
      f.operations.map((o) => [o.kind, o.path, "name" in o ? o.name : undefined]),
      [
        ["delete-key", "HKEY_CURRENT_USER\\Gone", undefined],
        ["create-key", "K", undefined],
        ["delete-value", "K", "v"],
        ["delete-value", "K", ""],
      ],
    );
  });
  it("comments (; and #), blank lines, leading blank lines before the header, trailing \\ in key paths", () => {
    const f = parseRegFile(`\n\n${V5}\n; comment\n# another\n[HKLM\\X\\] ; trailing comment\n  "a"="b"\n`);
    assert.deepEqual(
      f.operations.map((o) => o.kind === "create-key" && o.path),
      ["HKLM\\X", false],
    );
  });
  it("syntax errors carry the line number", () => {
    syntaxAt("not a header\n", 1);
    syntaxAt("", 1);
    syntaxAt(`${V5}\n"a"="outside"\n`, 2);
    syntaxAt(`${V5}\n[K\n`, 2);
    syntaxAt(`${V5}\n[K]\n"a"="unterminated\n`, 3);
    syntaxAt(`${V5}\n[K]\n"a"=hex:1g\n`, 3);
    syntaxAt(`${V5}\n[K]\n"a"=hex:01,\\`, 3); // continuation at end of file
    syntaxAt(`${V5}\n[K]\n"a"=str:"x"\n`, 3);
    syntaxAt(`${V5}\n[K]\n"a" "b"\n`, 3);
    syntaxAt(`${V5}\n[K]\nrubbish\n`, 3);
    syntaxAt(`${V5}\n[]\n`, 2);
  });
  it("applies operations in order to a key tree", () => {
    const f = parseRegFile(
      `${V5}\n[A\\B]\n"x"="1"\n"y"="2"\n\n[A\\C]\n\n[-A\\C]\n\n[a\\b]\n"X"=-\n"y"="3"\n`,
    );
    const tree = applyRegOperations(f.operations);
    const b = findKey(tree, ["A", "B"])!;
    assert.deepEqual(
      b.values.map((v) => [v.name, hex(v.data)]),
      [["y", hex(encodeRegString("3"))]],
    );
    assert.equal(findKey(tree, ["A", "C"]), undefined);
  });
});

describe(".reg encodings", () => {
  const text = `${V5}\r\n\r\n[K]\r\n"ü"="Grüße – 漢字"\r\n`;
  it("UTF-16LE with BOM", () => {
    const bytes = encodeRegText(text, "utf-16le");
    assert.deepEqual([...bytes.subarray(0, 4)], [0xff, 0xfe, 0x57, 0x00]);
    const d = decodeRegText(bytes);
    assert.equal(d.encoding, "utf-16le");
    assert.equal(d.text, text);
    const f = parseRegFile(bytes);
    assert.equal(f.encoding, "utf-16le");
    const op = f.operations[1]!;
    assert.ok(op.kind === "set-value");
    assert.equal(op.name, "ü");
    assert.equal(hex(op.data), hex(encodeRegString("Grüße – 漢字")));
  });
  it("UTF-16LE without BOM", () => {
    assert.equal(decodeRegText(encodeRegText(text, "utf-16le", false)).encoding, "utf-16le");
    assert.equal(parseRegFile(encodeRegText(text, "utf-16le", false)).operations.length, 2);
  });
  it("UTF-8 with and without BOM", () => {
    for (const bom of [true, false]) {
      const bytes = encodeRegText(text, "utf-8", bom);
      assert.equal(bytes[0] === 0xef, bom);
      const f = parseRegFile(bytes);
      assert.equal(f.encoding, "utf-8");
      const op = f.operations[1]!;
      assert.ok(op.kind === "set-value");
      assert.equal(op.name, "ü");
    }
  });
  it("ANSI (invalid UTF-8) falls back to Windows-1252", () => {
    const bytes = new Uint8Array([...Buffer.from('REGEDIT4\r\n[K]\r\n"a"="caf'), 0xe9, 0x22, 0x0d, 0x0a]);
    const f = parseRegFile(bytes);
    assert.equal(f.encoding, "latin1");
    const op = f.operations[1]!;
    assert.ok(op.kind === "set-value");
    assert.equal(hex(op.data), hex(encodeRegString("café")));
  });
  it("ANSI bytes 0x80–0x9F are Windows-1252 (0x96 is an en dash), in strings and widened hex(2)", () => {
    const bytes = new Uint8Array([
      ...Buffer.from('REGEDIT4\r\n[K]\r\n"a"="Outlook '),
      0x96,
      ...Buffer.from(' Kerio "\r\n"b"=hex(2):80,00\r\n'),
    ]);
    const f = parseRegFile(bytes);
    assert.equal(f.encoding, "latin1");
    const [a, b] = f.operations.filter((op) => op.kind === "set-value");
    assert.ok(a?.kind === "set-value" && b?.kind === "set-value");
    assert.equal(hex(a.data), hex(encodeRegString("Outlook \u2013 Kerio ")));
    assert.equal(hex(b.data), hex(encodeRegString("\u20ac")));
  });
});

describe(".reg writer", () => {
  it("formats each type the way regedit does", () => {
    const v = (name: string, type: number, data: Uint8Array): string => formatRegValue({ name, type, data });
    assert.equal(v("", 1, encodeRegString("x")), '@="x"');
    assert.equal(v('q"\\', 1, encodeRegString('a"b\\')), '"q\\"\\\\"="a\\"b\\\\"');
    assert.equal(v("d", 4, encodeRegDword(42)), '"d"=dword:0000002a');
    assert.equal(v("d3", 4, new Uint8Array([1, 2, 3])), '"d3"=hex(4):01,02,03');
    assert.equal(v("b", 3, new Uint8Array([0xab, 0xcd])), '"b"=hex:ab,cd');
    assert.equal(v("e", 2, encodeRegString("%A%")), '"e"=hex(2):25,00,41,00,25,00,00,00');
    assert.equal(v("m", 7, encodeRegMultiString(["a"])), '"m"=hex(7):61,00,00,00,00,00');
    assert.equal(v("q", 11, encodeRegQword(1n)), '"q"=hex(b):01,00,00,00,00,00,00,00');
    assert.equal(v("n", 0, new Uint8Array(0)), '"n"=hex(0):');
    assert.equal(v("nonul", 1, new Uint8Array([0x41, 0])), '"nonul"=hex(1):41,00');
    assert.equal(v("nl", 1, encodeRegString("a\nb")), '"nl"=hex(1):61,00,0a,00,62,00,00,00');
  });
  it("wraps byte lists at 80 columns with \\ and two-space indent, as regedit", () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    const lines = formatRegValue({ name: "Blob", type: 3, data }).split("\r\n");
    // "Blob"=hex: is 11 characters; 22 bytes reach column 77 on the first line, then 25 per line.
    assert.equal(
      lines[0],
      '"Blob"=hex:' +
        Array.from({ length: 22 }, (_, i) => i.toString(16).padStart(2, "0") + ",").join("") +
        "\\",
    );
    assert.equal(
      lines[1],
      "  " +
        Array.from({ length: 25 }, (_, i) => (22 + i).toString(16).padStart(2, "0") + ",").join("") +
        "\\",
    );
    for (const l of lines) assert.ok(l.length <= 80, `line of ${l.length}`);
    assert.equal(lines.at(-1)!.endsWith("63"), true);
  });
  it("writes the header, keys and CRLF lines; UTF-16LE with BOM by default, UTF-8 on request", () => {
    const keys = [
      { path: "HKEY_CURRENT_USER\\A", values: [{ name: "x", type: 1, data: encodeRegString("1") }] },
      { path: "HKEY_CURRENT_USER\\A\\B", values: [] },
    ];
    const text = formatRegText(keys);
    assert.equal(
      text,
      `${V5}\r\n\r\n[HKEY_CURRENT_USER\\A]\r\n"x"="1"\r\n\r\n[HKEY_CURRENT_USER\\A\\B]\r\n\r\n`,
    );
    const u16 = writeRegFile(keys);
    assert.deepEqual([...u16.subarray(0, 2)], [0xff, 0xfe]);
    assert.equal(decodeRegText(u16).text, text);
    const u8 = writeRegFile(keys, { encoding: "utf-8" });
    assert.equal(Buffer.from(u8).toString("utf8"), text);
  });
  it("writer → parser round trip is lossless for every type and odd data", () => {
    const values: RegTreeValue[] = [
      { name: "", type: 1, data: encodeRegString("default") },
      { name: 'quote"back\\slash', type: 1, data: encodeRegString('x"y\\z') },
      { name: "ünicode", type: 1, data: encodeRegString("漢字") },
      { name: "sz-odd", type: 1, data: new Uint8Array([1, 2, 3]) },
      { name: "exp", type: 2, data: encodeRegString("%PATH%") },
      { name: "bin", type: 3, data: Uint8Array.from({ length: 300 }, (_, i) => (i * 31) & 0xff) },
      { name: "dw", type: 4, data: encodeRegDword(0xdeadbeef) },
      { name: "dw5", type: 4, data: new Uint8Array(5) },
      { name: "be", type: 5, data: new Uint8Array([0, 0, 0, 1]) },
      { name: "multi", type: 7, data: encodeRegMultiString(["a", "b"]) },
      { name: "qw", type: 11, data: encodeRegQword(123n) },
      { name: "none", type: 0, data: new Uint8Array(0) },
      { name: "big-type", type: 0xffffffff, data: new Uint8Array([7]) },
    ];
    for (const encoding of ["utf-16le", "utf-8"] as const) {
      const bytes = writeRegFile([{ path: "HKEY_LOCAL_MACHINE\\SOFTWARE\\T", values }], { encoding });
      const ops = sets(parseRegFile(bytes).operations);
      assert.deepEqual(
        ops.map((o) => o.kind === "set-value" && [o.name, o.type, hex(o.data)]),
        values.map((v) => [v.name, v.type, hex(v.data)]),
      );
    }
  });
});
