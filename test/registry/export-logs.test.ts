/**
 * `registry export HIVE` of a dirty hive replays the `.LOG1`/`.LOG2` beside it, as `check --image`
 * does (fixtures/hives/dirty/, built by fixtures/hives/build.sh), and says so in a trailing `;`
 * comment; with no usable log it exports the hive as it is on disk and says why each log was not
 * used; a log that leads out of the hive's folder, a FIFO or a folder is not read; a clean hive's
 * logs are never read.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { exportHiveFileAsReg, parseRegFile } from "../../src/registry/index.js";
import { runCli } from "../helpers/run-cli.js";
import { hiveFixtureDir } from "./helpers.js";

const DIRTY = path.join(hiveFixtureDir, "dirty");
/** The KOFF profile key written only to NTUSER.DAT.LOG1 (fixtures/hives/README.md). */
const PROFILE_KEY =
  "[HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Outlook\\a1b2c3d4e5f60718293a4b5c6d7e8f90]";
const haveMkfifo = process.platform !== "win32" && spawnSync("mkfifo", ["--version"]).error === undefined;

const scratch: string[] = [];
after(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder holding the dirty fixture hive and the fixture logs named in `logs`. */
function folderWith(logs: Array<"LOG1" | "LOG2">): string {
  const dir = mkdtempSync(path.join(tmpdir(), "koff-export-logs-"));
  scratch.push(dir);
  copyFileSync(path.join(DIRTY, "NTUSER.DAT"), path.join(dir, "NTUSER.DAT"));
  for (const l of logs) copyFileSync(path.join(DIRTY, `NTUSER.DAT.${l}`), path.join(dir, `NTUSER.DAT.${l}`));
  return dir;
}

async function exportOf(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(["registry", "export", path.join(dir, "NTUSER.DAT")]);
}

describe("registry export: the transaction logs of a dirty hive", () => {
  it("replays the logs beside it: the profile only in NTUSER.DAT.LOG1 is exported, and a comment says so", async () => {
    const dir = folderWith(["LOG1", "LOG2"]);
    const before = readFileSync(path.join(dir, "NTUSER.DAT"));
    const out = await exportOf(dir);
    assert.equal(out.code, 0, out.stderr);
    assert.ok(out.stdout.includes(PROFILE_KEY), "the key replayed from the log is exported");
    assert.match(
      out.stdout,
      /\r\n; hive is dirty on disk; exported with its transaction logs replayed in memory \(recovered from NTUSER\.DAT\.LOG1 \(4 entries\)\); the file itself is unchanged\r\n$/,
    );
    assert.doesNotMatch(out.stdout, /recent changes may be only in/);
    assert.ok(parseRegFile(out.stdout).operations.length > 0, "still a .reg file");
    assert.deepEqual(readFileSync(path.join(dir, "NTUSER.DAT")), before, "the hive is not written");
  });

  it("exports the same keys as the hive Windows would have flushed (recovered.hiv)", async () => {
    const dir = folderWith(["LOG1"]);
    const replayed = (await exportOf(dir)).stdout;
    const flushed = exportHiveFileAsReg(readFileSync(path.join(DIRTY, "recovered.hiv")), {
      fileName: "NTUSER.DAT",
    });
    const keysOf = (text: string) => text.split("\r\n").filter((l) => !l.startsWith(";"));
    assert.deepEqual(keysOf(replayed), keysOf(flushed));
  });

  it("without logs, exports the hive as it is on disk and says no usable log was found", async () => {
    const out = await exportOf(folderWith([]));
    assert.equal(out.code, 0, out.stderr);
    assert.ok(!out.stdout.includes(PROFILE_KEY));
    assert.match(out.stdout, /\r\n; hive is dirty \(sequence numbers \d+ != \d+\): recent changes/);
    assert.match(
      out.stdout,
      /\r\n; no usable transaction log; exported as it is on disk: not recovered: NTUSER\.DAT\.LOG1: no such file beside the hive; NTUSER\.DAT\.LOG2: no such file beside the hive\r\n$/,
    );
  });

  it("a .LOG1 linked out of the hive's folder is not read; a FIFO .LOG1 and a folder .LOG2 neither (no hang)", async () => {
    const linked = folderWith([]);
    const elsewhere = mkdtempSync(path.join(tmpdir(), "koff-elsewhere-"));
    scratch.push(elsewhere);
    copyFileSync(path.join(DIRTY, "NTUSER.DAT.LOG1"), path.join(elsewhere, "x"));
    symlinkSync(path.join(elsewhere, "x"), path.join(linked, "NTUSER.DAT.LOG1"));
    const out = await exportOf(linked);
    assert.equal(out.code, 0, out.stderr);
    assert.ok(!out.stdout.includes(PROFILE_KEY), "nothing of the log outside is replayed");
    assert.match(out.stdout, /NTUSER\.DAT\.LOG1: a symbolic link leading out of the hive's folder; not read/);

    const special = folderWith([]);
    if (haveMkfifo) execFileSync("mkfifo", [path.join(special, "NTUSER.DAT.LOG1")]);
    mkdirSync(path.join(special, "NTUSER.DAT.LOG2"));
    const out2 = await exportOf(special);
    assert.equal(out2.code, 0, out2.stderr);
    if (haveMkfifo)
      assert.match(out2.stdout, /NTUSER\.DAT\.LOG1: a FIFO \(named pipe\), not a regular file; not read/);
    assert.match(out2.stdout, /NTUSER\.DAT\.LOG2: a directory, not a file/);
  });

  it("a clean hive's logs are not read: a FIFO beside it changes nothing", async (t) => {
    if (!haveMkfifo) return t.skip("mkfifo is not available");
    const dir = mkdtempSync(path.join(tmpdir(), "koff-export-clean-"));
    scratch.push(dir);
    copyFileSync(path.join(DIRTY, "recovered.hiv"), path.join(dir, "NTUSER.DAT"));
    const plain = (await exportOf(dir)).stdout;
    execFileSync("mkfifo", [path.join(dir, "NTUSER.DAT.LOG1")]);
    const out = await exportOf(dir);
    assert.equal(out.stdout, plain);
    assert.doesNotMatch(out.stdout, /transaction log|dirty/);
  });
});

describe("registry export: the trailing comments hold nothing that breaks the .reg text or the terminal", () => {
  it("a hive (and so log) name with a line break, ESC sequences and an override stays inside its comment, escaped", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "koff-export-hostile-"));
    scratch.push(dir);
    // The .reg data is not passed through the terminal filter: the comment must be inert itself.
    const name = "NTUSER.DAT\r\n[HKEY_LOCAL_MACHINE\\FORGED]\u001b]0;owned\u0007\u001b[2K\u202e";
    copyFileSync(path.join(DIRTY, "NTUSER.DAT"), path.join(dir, name));
    copyFileSync(path.join(DIRTY, "NTUSER.DAT.LOG1"), path.join(dir, `${name}.LOG1`));
    const out = await runCli(["registry", "export", "--prefix", "HKEY_CURRENT_USER", path.join(dir, name)]);
    assert.equal(out.code, 0, out.stderr);
    assert.ok(out.stdout.includes(PROFILE_KEY), "the log was replayed");
    const comments = out.stdout.split("\r\n").filter((l) => l.startsWith(";"));
    assert.ok(
      comments.some((l) => l.includes("\\u001b]0;owned\\u0007\\u001b[2K\\u202e")),
      comments.join("\n"),
    );
    assert.doesNotMatch(out.stdout, /^\[HKEY_LOCAL_MACHINE\\FORGED\]/m);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(out.stdout, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202e]/);
    assert.ok(
      parseRegFile(out.stdout).operations.every((op) => !JSON.stringify(op).includes("FORGED")),
      "no key is forged",
    );
  });

  it("an anomaly in a key whose name holds a line break stays on its comment line", () => {
    const hive = new Uint8Array(readFileSync(path.join(hiveFixtureDir, "ntuser-office16.hiv")));
    const latin1 = Buffer.from(hive).toString("latin1");
    const name = latin1.indexOf("Microsoft");
    hive[name + 4] = 0x0a; // "Micr\nsoft": key names may hold any character but "\\"
    const office = latin1.indexOf("Office", name);
    hive.set([0x7a, 0x7a], office - 0x4c); // its subkey's "nk" signature damaged: an anomaly there
    const text = exportHiveFileAsReg(hive, { rootName: "HKEY_CURRENT_USER" });
    const anomaly = text.split("\r\n").find((l) => l.startsWith("; anomaly bad-signature"));
    assert.ok(anomaly?.includes("in Software\\Micr\\u000asoft:"), anomaly);
    assert.ok(text.endsWith(`${anomaly}\r\n`), "the comments are the last lines, each whole");
  });

  it("a key or value name holding a line break is not written: no line of the .reg text is forged", () => {
    const hive = new Uint8Array(readFileSync(path.join(hiveFixtureDir, "ntuser-office16.hiv")));
    const latin1 = Buffer.from(hive).toString("latin1");
    const name = latin1.indexOf("Microsoft");
    // "Micr\nsoft": the line after "[HKEY_CURRENT_USER\Software\Micr" would read "soft]".
    hive[name + 4] = 0x0a;
    const text = exportHiveFileAsReg(hive, { rootName: "HKEY_CURRENT_USER" });
    for (const line of text.split(/\r\n|\r|\n/))
      assert.ok(
        line === "" || /^(Windows Registry Editor|\[HKEY_CURRENT_USER|"|@=| {2}|;)/.test(line),
        `a line no key, value or comment starts: ${JSON.stringify(line)}`,
      );
    assert.doesNotMatch(text, /\n(?<!\r\n)|\r(?!\n)/, "no bare line break");
    assert.ok(!text.includes("Micr"), "the key (and its subkeys) are left out");
    assert.match(text, /\r\n; \d+ keys? and 0 values? not written: their names hold a line break/);
    assert.ok(parseRegFile(text).operations.length > 0, "the rest is exported");
  });
});
