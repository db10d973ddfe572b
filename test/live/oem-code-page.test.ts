/**
 * Console output in the OEM code pages of Kerio's users' Windows: Czech (852), Russian (866),
 * Western Europe (850), US (437) and a double-byte page (932). The bytes are written from
 * Microsoft's code page tables (each byte named in a comment), not produced by the decoder under
 * test, and go through the live adapter the way reg.exe and tasklist print them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RegExeRegistry } from "../../src/adapters/live/reg-exe-registry.js";
import { createLiveSnapshot } from "../../src/adapters/live/live-snapshot.js";
import {
  decodeOem,
  isKnownOemCodePage,
  OEM_CODE_PAGES,
} from "../../src/windows/tool-output/oem-code-page.js";
import type { Exec } from "../../src/ports/exec.js";

const ascii = (s: string) => [...Buffer.from(s, "latin1")];

// "Jiří Čermák" in code page 852: í A1, ř FD, Č AC, á A0.
const JIRI_852 = [...ascii("Ji"), 0xfd, 0xa1, ...ascii(" "), 0xac, ...ascii("erm"), 0xa0, ...ascii("k")];
// "Привет" in code page 866: П 8F, р E0, и A8, в A2, е A5, т E2.
const PRIVET_866 = [0x8f, 0xe0, 0xa8, 0xa2, 0xa5, 0xe2];

describe("OEM code pages", () => {
  it("decodes Czech (852), Russian (866), Western (850), US (437) and Japanese (932) bytes", () => {
    assert.equal(decodeOem(new Uint8Array(JIRI_852), 852), "Jiří Čermák");
    assert.equal(decodeOem(new Uint8Array(PRIVET_866), 866), "Привет");
    assert.equal(decodeOem(new Uint8Array([0x9d]), 850), "Ø");
    assert.equal(decodeOem(new Uint8Array([0x9d]), 437), "¥");
    // 932: 日本 is 93 FA 96 7B (Shift_JIS lead and trail bytes).
    assert.equal(decodeOem(new Uint8Array([0x93, 0xfa, 0x96, 0x7b]), 932), "日本");
  });

  it("knows every OEM code page Windows sets, and no ANSI page", () => {
    for (const cp of OEM_CODE_PAGES) assert.ok(isKnownOemCodePage(cp), String(cp));
    for (const cp of [1250, 1251, 1252, 65001, 0]) assert.equal(isKnownOemCodePage(cp), false, String(cp));
  });

  it("reg query output on a Czech console reads the user's name in 852", async () => {
    const out = Buffer.from([
      ...ascii("\r\nHKEY_CURRENT_USER\\Software\\Test\r\n    Owner    REG_SZ    "),
      ...JIRI_852,
      ...ascii("\r\n\r\n"),
    ]);
    const exec: Exec = async () => ({ stdout: new Uint8Array(out), stderr: new Uint8Array(), code: 0 });
    const port = new RegExeRegistry({ exec, outputCodePage: 852 });
    assert.equal((await port.getKey("HKCU\\Software\\Test"))?.values[0]?.value, "Jiří Čermák");
  });

  it("tasklist on a Russian console: the process image name is decoded in 866 (chcp answers 866)", async () => {
    const csv = Buffer.from([
      ...ascii('"Image Name","PID","Modules"\r\n"System","4","N/A"\r\n"'),
      ...PRIVET_866,
      ...ascii('.exe","5120","kofmsp32.dll"\r\n'),
    ]);
    const exec: Exec = async (cmd) => ({
      stdout: new Uint8Array(cmd === "cmd.exe" ? Buffer.from("Active code page: 866\r\n") : csv),
      stderr: new Uint8Array(),
      code: 0,
    });
    const fake = {
      describe: () => "t",
      health: async () => [],
      users: async () => [],
      getKey: async () => undefined,
    };
    const snapshot = await createLiveSnapshot({ exec, registry: fake });
    const ps = await snapshot.processes!.list();
    assert.deepEqual(ps[1], { image: "Привет.exe", pid: 5120, modules: ["kofmsp32.dll"] });
  });
});
