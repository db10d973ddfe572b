import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import {
  expandWindowsPath,
  hostPathToWindowsPath,
  isUnderWindowsPath,
  normalizeWindowsPath,
  windowsBasename,
  windowsDirname,
} from "../../src/paths/windows-path.js";

describe("normalizeWindowsPath", () => {
  it("canonicalizes separators, dots and drive letters", () => {
    assert.equal(normalizeWindowsPath("c:/Users//bob/./AppData/../Downloads/"), "C:\\Users\\bob\\Downloads");
    assert.equal(normalizeWindowsPath("C:\\"), "C:\\");
    assert.equal(normalizeWindowsPath("C:\\.."), "C:\\");
    assert.equal(normalizeWindowsPath("\\\\srv\\share\\x\\..\\y"), "\\\\srv\\share\\y");
  });
  it("splits names", () => {
    assert.equal(windowsBasename("C:\\a\\b\\kofmsp32.dll"), "kofmsp32.dll");
    assert.equal(windowsDirname("C:\\a\\b\\kofmsp32.dll"), "C:\\a\\b");
  });
});

describe("isUnderWindowsPath", () => {
  it("matches case-insensitively on separator boundaries", () => {
    assert.ok(isUnderWindowsPath("c:\\program files (x86)\\KERIO\\x.dll", "C:\\Program Files (x86)\\Kerio"));
    assert.ok(
      !isUnderWindowsPath("C:\\Program Files (x86)\\KerioEvil\\x.dll", "C:\\Program Files (x86)\\Kerio"),
    );
    assert.ok(
      !isUnderWindowsPath("C:\\Program Files (x86)\\Kerio\\..\\x.dll", "C:\\Program Files (x86)\\Kerio"),
    );
  });
});

describe("expandWindowsPath", () => {
  it("expands per-user variables with Windows defaults", () => {
    assert.equal(
      expandWindowsPath("%LOCALAPPDATA%\\Kerio\\Outlook Connector", "bob"),
      "C:\\Users\\bob\\AppData\\Local\\Kerio\\Outlook Connector",
    );
    assert.equal(expandWindowsPath("%ProgramFiles(x86)%\\Kerio"), "C:\\Program Files (x86)\\Kerio");
    assert.equal(expandWindowsPath("%UNKNOWN%\\x"), "%UNKNOWN%\\x");
  });
});

describe("hostPathToWindowsPath", () => {
  it("keeps native Windows paths", () => {
    assert.deepEqual(hostPathToWindowsPath("c:\\Users\\bob\\x.dll"), {
      windowsPath: "C:\\Users\\bob\\x.dll",
      origin: "native",
    });
  });
  it("maps paths inside an image root", () => {
    const root = path.resolve("/mnt/img");
    assert.deepEqual(hostPathToWindowsPath(path.join(root, "Users/bob/AppData/Roaming/kofmsp.dll"), root), {
      windowsPath: "C:\\Users\\bob\\AppData\\Roaming\\kofmsp.dll",
      origin: "image",
    });
  });
  it("infers the volume root from well-known top folders", () => {
    assert.deepEqual(hostPathToWindowsPath("/cases/42/disk/program files (x86)/Kerio/k.dll"), {
      windowsPath: "C:\\program files (x86)\\Kerio\\k.dll",
      origin: "inferred",
    });
  });
  it("gives up on paths with nothing Windows-like", () => {
    assert.equal(hostPathToWindowsPath("/home/analyst/sample.dll"), undefined);
  });
});
