/**
 * `registry export` writes keys under the root Windows loads the hive at (`HKEY_LOCAL_MACHINE\SOFTWARE`
 * for SOFTWARE, `HKEY_CURRENT_USER` for NTUSER.DAT) or under `--prefix KEY`, never `[ROOT\…]`; the
 * text round-trips through our `.reg` parser to the hive's own keys and values, is merged by
 * `hivexregedit --merge`, and is imported by Wine's `reg import` (each skipped when absent).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  decodeRegText,
  defaultHiveRoot,
  normalizeRegPrefix,
  openHive,
  walkHive,
  writeEmptyHive,
} from "../../src/registry/index.js";
import { EXAMPLES } from "../helpers/repo.js";
import { initWinePrefix, removeWinePrefix, winePrefixEnv } from "../helpers/wine-prefix.js";
import { runCli } from "../helpers/run-cli.js";
import { hivexExport, hivexregeditPath, normalizeRegText } from "./helpers.js";

const HIVES = [
  {
    file: path.join(EXAMPLES, "healthy", "Windows", "System32", "config", "SOFTWARE"),
    root: "HKEY_LOCAL_MACHINE\\SOFTWARE",
    subtree: "Microsoft\\Office",
  },
  {
    file: path.join(EXAMPLES, "healthy", "Users", "alice", "NTUSER.DAT"),
    root: "HKEY_CURRENT_USER",
    subtree: "Software\\Microsoft\\Office",
  },
];

/** The hive's keys and values listed straight from the hive, in normalizeRegText's row format. */
function hiveListing(file: string, root: string): string[] {
  const hive = openHive(readFileSync(file));
  const rows: Array<[string, string]> = [];
  walkHive(hive, ({ key }) => {
    const p = key.path === "" ? root : `${root}\\${key.path}`;
    const values = key
      .valueRecords()
      .sort((a, b) => (a.name.toUpperCase() < b.name.toUpperCase() ? -1 : 1))
      .map((v) => `${JSON.stringify(v.name)}=${v.type}:${Buffer.from(v.data).toString("hex")}`);
    rows.push([p.toUpperCase(), `[${p}] ${values.join(" ")}`]);
  });
  return rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((r) => r[1]);
}

/**
 * normalizeRegText of `text`, without the ancestors of `root` our parser adds as empty keys
 * (`[HKEY_LOCAL_MACHINE]` above `[HKEY_LOCAL_MACHINE\SOFTWARE]`).
 */
function listing(text: string, root: string): string[] {
  return normalizeRegText(text).filter((row) => row.toUpperCase().startsWith(`[${root.toUpperCase()}`));
}

async function exportText(args: string[]): Promise<string> {
  const r = await runCli(["registry", "export", ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

describe("registry export: root key names", () => {
  for (const { file, root } of HIVES) {
    it(`${path.basename(file)} is written under ${root} and round-trips through our parser`, async () => {
      const text = await exportText([file]);
      assert.doesNotMatch(text, /^\[-?ROOT\b/m, "no [ROOT\\…] key line");
      const keyLines = text.split(/\r?\n/).filter((l) => l.startsWith("["));
      assert.ok(keyLines.length > 3);
      for (const l of keyLines) assert.ok(l.startsWith(`[${root}`), l);
      assert.deepEqual(listing(text, root), hiveListing(file, root));
    });
  }

  it("--prefix overrides the default, and short root names are written out", async () => {
    const { file } = HIVES[0]!;
    const text = await exportText(["--prefix", "HKU\\S-1-5-21-1\\", file]);
    const keyLines = text.split(/\r?\n/).filter((l) => l.startsWith("["));
    assert.equal(keyLines[0], "[HKEY_USERS\\S-1-5-21-1]");
    for (const l of keyLines) assert.ok(l.startsWith("[HKEY_USERS\\S-1-5-21-1"), l);
    assert.deepEqual(listing(text, "HKEY_USERS\\S-1-5-21-1"), hiveListing(file, "HKEY_USERS\\S-1-5-21-1"));
  });

  it("a --prefix that is no registry root is a usage error", async () => {
    for (const bad of ["ROOT", "SOFTWARE\\x", "HKLM\\\\x", "HKLM\\a]b", ""]) {
      const r = await runCli(["registry", "export", "--prefix", bad, HIVES[0]!.file]);
      assert.equal(r.code, 64, bad);
      assert.equal(r.stdout, "");
    }
  });

  it("defaultHiveRoot: by file name, then by the name the base block records, else HKLM\\<name>", () => {
    assert.equal(defaultHiveRoot("/mnt/c/Windows/System32/config/SYSTEM"), "HKEY_LOCAL_MACHINE\\SYSTEM");
    assert.equal(defaultHiveRoot("C:\\Users\\bob\\ntuser.dat"), "HKEY_CURRENT_USER");
    assert.equal(defaultHiveRoot("UsrClass.dat"), "HKEY_CURRENT_USER\\Software\\Classes");
    assert.equal(defaultHiveRoot("config/DEFAULT"), "HKEY_USERS\\.DEFAULT");
    assert.equal(defaultHiveRoot("copy.hiv", "\\??\\C:\\Users\\bob\\NTUSER.DAT"), "HKEY_CURRENT_USER");
    assert.equal(defaultHiveRoot("evidence [1].hiv"), "HKEY_LOCAL_MACHINE\\evidence1");
    assert.equal(defaultHiveRoot("[].x"), "HKEY_LOCAL_MACHINE\\HIVE");
    assert.equal(normalizeRegPrefix("hkcu"), "HKEY_CURRENT_USER");
    assert.equal(normalizeRegPrefix("HKEY_LOCAL_MACHINE"), "HKEY_LOCAL_MACHINE");
    assert.equal(normalizeRegPrefix("HKEY_LOCAL"), undefined);
  });
});

describe("registry export imports with hivexregedit --merge", () => {
  const skip =
    hivexregeditPath() === undefined
      ? "hivexregedit not installed (apt-get install libwin-hivex-perl)"
      : false;
  for (const { file, root } of HIVES) {
    it(`${path.basename(file)} merged under ${root} gives back the hive`, { skip }, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "koff-regexp-"));
      try {
        const text = await exportText([file]);
        const regFile = path.join(dir, "in.reg");
        writeFileSync(regFile, text);
        const seed = path.join(dir, "seed.hiv");
        writeFileSync(seed, writeEmptyHive());
        const r = spawnSync("hivexregedit", ["--merge", "--prefix", root, seed, regFile], {
          encoding: "utf8",
        });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(listing(hivexExport(seed, root), root), hiveListing(file, root));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

const hasWine = spawnSync("wine", ["--version"], { encoding: "utf8" }).status === 0;
describe(
  "registry export imports with Wine's reg import",
  {
    skip: hasWine ? false : "wine is not installed (apt-get install wine); skipping reg import",
    timeout: 1_500_000,
  },
  () => {
    let dir = "";
    let env: NodeJS.ProcessEnv = {};
    const wine = (...args: string[]) => spawnSync("wine", args, { encoding: "utf8", env, timeout: 300_000 });
    const winePath = (p: string) => `Z:${p.replace(/\//g, "\\")}`;

    // The prefix is booted explicitly before the first reg call (an implicit boot under load can
    // exit 53, "could not load kernel32.dll"), and removed with its wineserver stopped after.
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "koff-regexp-wine-"));
      env = winePrefixEnv(path.join(dir, "prefix"));
      await initWinePrefix(env);
    });
    after(() => {
      if (dir !== "") removeWinePrefix(env, dir);
    });

    for (const { file, root, subtree } of HIVES) {
      it(`${path.basename(file)}: reg import accepts it and reg export gives the same ${subtree}`, async () => {
        const regFile = path.join(dir, `${path.basename(file)}.reg`);
        writeFileSync(regFile, await exportText([file]));
        const imported = wine("reg", "import", winePath(regFile));
        assert.equal(imported.status, 0, `${imported.stdout}${imported.stderr}`);
        const back = path.join(dir, `${path.basename(file)}-back.reg`);
        const exported = wine("reg", "export", `${root}\\${subtree}`, winePath(back), "/y");
        assert.equal(exported.status, 0, `${exported.stdout}${exported.stderr}`);
        const theirs = decodeRegText(readFileSync(back)).text;
        assert.deepEqual(normalizeRegText(theirs), normalizeRegText(await exportText([file, subtree])));
      });
    }
  },
);
