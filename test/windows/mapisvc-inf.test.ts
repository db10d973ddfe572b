import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  WindowsStateError,
  infSectionEntries,
  lookupInf,
  mapiLoadName,
  parseMapiSvcInf,
  splitInfList,
} from "../../src/windows/index.js";

const ANSI = [
  "; MAPISVC.INF test file",
  "[Services]",
  "KOFF=Kerio Connect (KOFF)",
  "MSPST MS=Personal Folders File (.pst)",
  "KOFF=duplicate that MAPI never sees",
  "",
  "[KOFF]",
  "PR_DISPLAY_NAME=Kerio Connect Caf\xe9 \x80",
  "PR_SERVICE_DLL_NAME = kofmsp.dll ",
  'PR_SERVICE_ENTRY_NAME="ServiceEntry"',
  "PR_SERVICE_DLL_NAME=evil.dll",
  "Providers=KOFF_MS, KOFF_XP ,",
  "  ; indented comment",
  "this line has no equals sign",
  "[KOFF_MS]",
  "PR_PROVIDER_DLL_NAME=kofmsp.dll ; trailing text is data to the profile API",
  "[KOFF]",
  "PR_SERVICE_DLL_NAME=second-section.dll",
].join("\r\n");

describe("parseMapiSvcInf", () => {
  it("parses ANSI (Windows-1252) text with comments, sections, line numbers", () => {
    const inf = parseMapiSvcInf(new Uint8Array(Buffer.from(ANSI, "latin1")));
    assert.equal(inf.encoding, "windows-1252");
    assert.deepEqual(
      inf.sections.map((s) => [s.name, s.line]),
      [
        ["Services", 2],
        ["KOFF", 7],
        ["KOFF_MS", 15],
        ["KOFF", 17],
      ],
    );
    assert.equal(lookupInf(inf, "koff", "pr_display_name")?.value, "Kerio Connect Café €");
    assert.deepEqual(inf.ignoredLines, [{ line: 14, text: "this line has no equals sign" }]);
    assert.equal(inf.lineCount, 18);
  });

  it("follows the profile API: first section, first key wins; all occurrences kept", () => {
    const inf = parseMapiSvcInf(new Uint8Array(Buffer.from(ANSI, "latin1")));
    const dll = lookupInf(inf, "KOFF", "PR_SERVICE_DLL_NAME");
    assert.equal(dll?.value, "kofmsp.dll", "trimmed, first occurrence");
    assert.equal(dll?.entry.line, 9);
    assert.deepEqual(
      dll?.occurrences.map((o) => [o.value, o.line, o.sectionLine]),
      [
        ["kofmsp.dll", 9, 7],
        ["evil.dll", 11, 7],
        ["second-section.dll", 18, 17],
      ],
    );
    assert.equal(lookupInf(inf, "KOFF", "PR_SERVICE_ENTRY_NAME")?.value, "ServiceEntry", "quotes stripped");
    assert.deepEqual(
      infSectionEntries(inf, "Services").map((e) => [e.key, e.value]),
      [
        ["KOFF", "Kerio Connect (KOFF)"],
        ["MSPST MS", "Personal Folders File (.pst)"],
      ],
    );
    const prov = lookupInf(inf, "KOFF_MS", "PR_PROVIDER_DLL_NAME");
    assert.equal(prov?.value, "kofmsp.dll ; trailing text is data to the profile API");
    assert.equal(prov?.valueHasSemicolon, true);
    assert.deepEqual(splitInfList(lookupInf(inf, "KOFF", "Providers")!.value), ["KOFF_MS", "KOFF_XP"]);
  });

  it("parses UTF-16LE with a BOM, and LF-only line ends", () => {
    const text = "[Services]\nKOFF=Kerio \u4e2d\u6587\n[KOFF]\nPR_SERVICE_DLL_NAME=C:\\Kerio\\kofmsp.dll\n";
    const bytes = new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    const inf = parseMapiSvcInf(bytes);
    assert.equal(inf.encoding, "utf-16le");
    assert.equal(lookupInf(inf, "Services", "KOFF")?.value, "Kerio \u4e2d\u6587");
    assert.equal(lookupInf(inf, "KOFF", "PR_SERVICE_DLL_NAME")?.entry.line, 4);
  });

  it("rejects undecodable UTF-16 and oversize input with typed errors", () => {
    const bad = new Uint8Array([0xff, 0xfe, 0x00, 0xd8, 0x41, 0x00]); // lone high surrogate
    assert.throws(
      () => parseMapiSvcInf(bad, "C:\\x\\MAPISVC.INF"),
      (e: unknown) => {
        return e instanceof WindowsStateError && e.code === "bad-encoding" && e.path === "C:\\x\\MAPISVC.INF";
      },
    );
    assert.throws(
      () => parseMapiSvcInf(new Uint8Array(8 * 1024 * 1024 + 1)),
      (e: unknown) => e instanceof WindowsStateError && e.code === "too-large",
    );
  });
});

describe("mapiLoadName (the 32 rule)", () => {
  it("inserts 32 before the first period of a bare name", () => {
    const r = mapiLoadName("KOFMSP.DLL");
    assert.deepEqual([r.loadName, r.isBareName, r.isFullPath, r.issues], ["KOFMSP32.DLL", true, false, []]);
  });
  it("inserts 32 before the first period of a full path", () => {
    const r = mapiLoadName("C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\kofmsp.dll");
    assert.equal(
      r.loadName,
      "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\kofmsp32.dll",
    );
    assert.deepEqual(r.issues, []);
    assert.equal(r.isFullPath, true);
  });
  it("flags a period in a directory name (the load path breaks)", () => {
    const r = mapiLoadName("C:\\Users\\john.doe\\AppData\\kofmsp.dll");
    assert.equal(r.loadName, "C:\\Users\\john32.doe\\AppData\\kofmsp.dll");
    assert.deepEqual(r.issues, ["period-in-directory"]);
  });
  it("flags names that already carry 32, extra periods, no period and relative paths", () => {
    assert.deepEqual(mapiLoadName("kofmsp32.dll").issues, ["already-has-32"]);
    assert.equal(mapiLoadName("kofmsp32.dll").loadName, "kofmsp3232.dll");
    const multi = mapiLoadName("kof.msp.dll");
    assert.deepEqual([multi.loadName, multi.issues], ["kof32.msp.dll", ["multiple-periods-in-name"]]);
    assert.deepEqual(
      [mapiLoadName("KOFMSP").loadName, mapiLoadName("KOFMSP").issues],
      ["KOFMSP32", ["no-period"]],
    );
    assert.deepEqual(mapiLoadName(".\\kofmsp.dll").issues, ["relative-path", "period-in-directory"]);
    assert.deepEqual(mapiLoadName("  ").issues, ["empty"]);
    assert.equal(mapiLoadName("\\\\srv\\share\\kofmsp.dll").isFullPath, true);
  });
});
