import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import {
  expandWindowsPath,
  hasVolumeFolders,
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
    assert.equal(normalizeWindowsPath("\\\\srv\\share\\..\\x"), "\\\\srv\\share\\x", "never above the share");
    assert.equal(normalizeWindowsPath("\\\\?\\C:\\Users\\x"), "C:\\Users\\x");
    assert.equal(normalizeWindowsPath("\\\\?\\UNC\\srv\\share\\a"), "\\\\srv\\share\\a");
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

describe("hostPathToWindowsPath with a volume-root check", () => {
  const volumes = new Set(["/media/windows", "/Volumes/case/img"]);
  const looks = (dir: string) => volumes.has(dir);
  it("skips a mount point named like a Windows folder", () => {
    assert.deepEqual(
      hostPathToWindowsPath("/media/windows/Program Files (x86)/Kerio/k.dll", undefined, looks),
      {
        windowsPath: "C:\\Program Files (x86)\\Kerio\\k.dll",
        origin: "inferred",
      },
    );
  });
  it("skips macOS's own /Users", () => {
    assert.deepEqual(
      hostPathToWindowsPath("/Volumes/case/img/Users/bob/Downloads/k.dll", undefined, looks)?.windowsPath,
      "C:\\Users\\bob\\Downloads\\k.dll",
    );
    // Without the check the first candidate wins, which is wrong here: that is why the check exists.
    assert.equal(
      hostPathToWindowsPath("/Users/analyst/case/Users/bob/k.dll")?.windowsPath,
      "C:\\Users\\analyst\\case\\Users\\bob\\k.dll",
    );
  });
  it("hasVolumeFolders wants two top-level folders", () => {
    assert.equal(hasVolumeFolders(["Windows", "Users", "pagefile.sys"]), true);
    assert.equal(hasVolumeFolders(["windows"]), false);
  });
});
