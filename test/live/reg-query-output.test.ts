import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeOem,
  parseRegQueryOutput,
  toLongRootPath,
  toShortRootPath,
} from "../../src/windows/tool-output/index.js";
import { RegType } from "../../src/ports/registry.js";
import { fixture } from "./helpers.js";

const text = (name: string): string => decodeOem(fixture("reg-query", name), 437);

describe("parseRegQueryOutput (Wine-recorded)", () => {
  it("decodes one value of each type from value-types.s.txt", () => {
    const out = parseRegQueryOutput(text("value-types.s.txt"));
    assert.deepEqual(
      out.blocks.map((b) => b.path),
      [
        "HKEY_CURRENT_USER\\Software\\KoffDoctorFixture",
        "HKEY_CURRENT_USER\\Software\\KoffDoctorFixture\\Sub",
        "HKEY_CURRENT_USER\\Software\\KoffDoctorFixture\\Sub\\Deeper",
      ],
    );
    const v = Object.fromEntries(out.blocks[0]!.values.map((x) => [x.name, x]));
    assert.equal(v[""]?.value, "default value");
    assert.equal(v["Plain"]?.value, "hello world");
    assert.equal(v["Two    Spaces"]?.value, "name has four spaces");
    assert.equal(v["Empty"]?.value, "");
    assert.deepEqual(
      [v["Expand"]?.type, v["Expand"]?.value],
      [RegType.REG_EXPAND_SZ, "%SystemRoot%\\System32"],
    );
    assert.deepEqual(v["Multi"]?.value, ["C:\\a", "D:\\b", "last"]);
    assert.deepEqual([v["Dword"]?.value, [...v["Dword"]!.data]], [0x12345678, [0x78, 0x56, 0x34, 0x12]]);
    assert.deepEqual([v["BigEndian"]?.value, [...v["BigEndian"]!.data]], [16, [0, 0, 0, 16]]);
    assert.equal(Buffer.from(v["Binary"]!.data).toString("utf16le"), "KOFF\0");
    assert.deepEqual([v["EmptyBinary"]?.type, v["EmptyBinary"]?.data.length], [RegType.REG_BINARY, 0]);
    assert.deepEqual([v["None"]?.type, [...v["None"]!.data]], [RegType.REG_NONE, [0x78, 0, 0, 0]]);
    // Wine 8 prints "(null)" for QWORD data: kept as a typed value without data, with a warning.
    assert.deepEqual([v["Qword"]?.type, v["Qword"]?.value], [RegType.REG_QWORD, undefined]);
    assert.ok(out.warnings.some((w) => w.message.includes("QWORD")));
    assert.equal(out.blocks[1]!.values.length, 0);
    assert.equal(out.blocks[2]!.values[0]?.value, "deep");
  });

  it("parses the documented Windows layout (hand-written): QWORD, resource list, multi-line string", () => {
    const out = parseRegQueryOutput(text("windows-format.s.txt"));
    assert.equal(out.blocks.length, 3);
    const cfg = Object.fromEntries(out.blocks[0]!.values.map((x) => [x.name, x]));
    assert.equal(cfg["InstallationTimeStamp"]?.value, 0x1db0a1b2c3d4e5fn);
    assert.equal(cfg["Platform"]?.value, "x64");
    const odd = Object.fromEntries(out.blocks[2]!.values.map((x) => [x.name, x]));
    assert.equal(odd[""]?.value, "");
    assert.deepEqual([odd["Resource"]?.type, odd["Resource"]?.data.length], [RegType.REG_RESOURCE_LIST, 8]);
    assert.equal(odd["Lines"]?.value, "first line\nsecond line");
    assert.equal(odd["After"]?.value, 0);
    assert.equal(out.warnings.length, 1, "only the line-break continuation is warned about");
  });

  it("turns unknown lines and types into warnings instead of throwing", () => {
    const out = parseRegQueryOutput(
      "\r\nHKEY_LOCAL_MACHINE\\X\r\n    Lnk    (null)    (null)\r\n    T    REG_0x100    0102\r\ngarbage\r\n    B    REG_BINARY    ABC\r\n    D    REG_DWORD    12\r\n",
    );
    const v = out.blocks[0]!.values;
    assert.deepEqual(
      v.map((x) => [x.name, x.type, x.data.length]),
      [
        ["Lnk", -1, 0],
        ["T", 0x100, 2],
        ["B", RegType.REG_BINARY, 0],
        ["D", RegType.REG_DWORD, 0],
      ],
    );
    assert.equal(out.warnings.length, 4);
  });

  it("converts root names both ways", () => {
    assert.equal(toLongRootPath("HKLM\\SOFTWARE\\X"), "HKEY_LOCAL_MACHINE\\SOFTWARE\\X");
    assert.equal(toLongRootPath("hku\\S-1-5-21"), "HKEY_USERS\\S-1-5-21");
    assert.equal(toShortRootPath("HKEY_CURRENT_USER\\Software"), "HKCU\\Software");
  });

  it("decodes OEM code page 437 and 850 high halves", () => {
    assert.equal(decodeOem(new Uint8Array([0x43, 0x61, 0x66, 0x82]), 437), "Café");
    assert.equal(decodeOem(new Uint8Array([0x9d, 0xff]), 850), "Ø\u00a0");
    assert.equal(decodeOem(new Uint8Array([0x9d]), 437), "¥");
  });
});

describe("live wiring", () => {
  it("picks the 64-bit view on 64-bit Windows, also from a 32-bit Node", async () => {
    const { registryViewFor } = await import("../../src/adapters/live/index.js");
    assert.equal(registryViewFor({ arch: "x64", env: {} }), "64");
    assert.equal(registryViewFor({ arch: "ia32", env: { PROCESSOR_ARCHITEW6432: "AMD64" } }), "64");
    assert.equal(registryViewFor({ arch: "ia32", env: {} }), undefined);
  });

  it("reads the OEM code page from chcp output in any language", async () => {
    const { detectOemCodePage } = await import("../../src/adapters/live/index.js");
    const say = (stdout: string) => async () => ({ stdout, stderr: "", code: 0 });
    assert.equal(await detectOemCodePage(say("Active code page: 850\r\n")), 850);
    assert.equal(await detectOemCodePage(say("Aktive Codepage: 437.\r\n")), 437);
    assert.equal(await detectOemCodePage(say("Page de codes active : 65001\r\n")), "utf-8");
    assert.equal(await detectOemCodePage(say("Active code page: 932\r\n")), 932);
    assert.equal(
      await detectOemCodePage(say("Active code page: 1252\r\n")),
      437,
      "an ANSI page is no OEM page",
    );
  });
});
