/**
 * What a machine read from an image folder never takes from outside it, and never leaves out in
 * silence (docs/exit-codes.md "Inputs that are not files"):
 * - `triage --image ROOT` refuses a file inside ROOT whose link leads out (`outside-root`), in a
 *   `-r` walk and as a named path, while a link that stays inside is read;
 * - the side-loading search counts a symbolic link beside the file as not read, so it reads
 *   `unknown`, never `none-found` (host files and image listings alike);
 * - a hive that is a FIFO or a folder is reported through `RegistryPort.health()`, so `check`
 *   carries an `unknown` note naming it, and nothing blocks on the FIFO.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { HiveRegistryPort } from "../../src/adapters/index.js";
import { HostFileSystem } from "../../src/adapters/host/host-file-system.js";
import { ImageFileSystem } from "../../src/adapters/image/image-file-system.js";
import { fileSystemLister, scanFolder } from "../../src/triage/sibling-loaders.js";
import { copyImage } from "../helpers/image-copy.js";
import { FIXTURES, REPO_ROOT } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const POSIX = process.platform !== "win32";
const skip = POSIX ? false : "symbolic links and FIFOs need POSIX";
const haveMkfifo = POSIX && spawnSync("mkfifo", ["--version"]).error === undefined;
const PE = path.join(FIXTURES, "pe", "tiny-x64.dll");

interface FileRecord {
  path: string;
  windowsPath?: string;
  verdict: string;
  error?: { code: string; message: string };
  indicators: Array<{ id: string; evidence: string; details?: { sideLoading?: string } }>;
}

/** The records of a `triage --json` run, by file name. */
function recordsOf(stdout: string): Map<string, FileRecord> {
  const files = (JSON.parse(stdout) as { files: FileRecord[] }).files;
  return new Map(files.map((f) => [path.basename(f.path), f]));
}

describe(
  "image boundaries: links out of the root, links beside a file, hives that are not files",
  { skip },
  () => {
    let root: string;
    let image: string;
    let outside: string;
    let folder: string;
    before(() => {
      ({ root, image } = copyImage("healthy"));
      outside = mkdtempSync(path.join(tmpdir(), "koff-outside-"));
      copyFileSync(PE, path.join(outside, "evil.dll"));
      folder = path.join(image, "Users", "x");
      mkdirSync(folder, { recursive: true });
      copyFileSync(PE, path.join(folder, "real.dll"));
      symlinkSync(path.join(outside, "evil.dll"), path.join(folder, "kofmsp.dll"));
      symlinkSync("real.dll", path.join(folder, "inside.dll"));
    });
    after(() => {
      rmSync(root, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    });

    it("triage -r DIR --image ROOT: a link out of the root is refused (outside-root, naming its target), one inside is read", async () => {
      const r = await runCli(["triage", "-r", folder, "--image", image, "--json"]);
      const byName = recordsOf(r.stdout);
      const out = byName.get("kofmsp.dll");
      assert.equal(out?.verdict, "error");
      assert.equal(out.error?.code, "outside-root");
      assert.ok(out.error.message.includes(path.join(outside, "evil.dll")), out.error.message);
      assert.equal(out.indicators.length, 0);
      assert.match(r.stderr, /kofmsp\.dll: outside-root: a symbolic link to .*evil\.dll/);
      assert.notEqual(byName.get("inside.dll")?.verdict, "error");
      assert.equal(byName.get("inside.dll")?.windowsPath, "C:\\Users\\x\\inside.dll");
      assert.notEqual(byName.get("real.dll")?.verdict, "error");
    });

    it("triage PATH --image ROOT: a named link out of the root is refused too; without --image it is read", async () => {
      const link = path.join(folder, "kofmsp.dll");
      const refused = recordsOf((await runCli(["triage", link, "--image", image, "--json"])).stdout);
      assert.equal(refused.get("kofmsp.dll")?.error?.code, "outside-root");
      // Without an image, the analyst's own link is theirs to follow.
      const plain = recordsOf((await runCli(["triage", link, "--json"])).stdout);
      assert.notEqual(plain.get("kofmsp.dll")?.verdict, "error");
    });

    it("side-loading: a symlinked DLL beside the file is counted as not read, so the search says unknown", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "koff-sideload-"));
      try {
        copyFileSync(PE, path.join(dir, "kofmsp.dll"));
        symlinkSync(path.join(outside, "evil.dll"), path.join(dir, "version.dll"));
        const scan = await scanFolder(dir, fileSystemLister(new HostFileSystem()));
        assert.deepEqual(
          scan.notRead.map((n) => [n.name, n.reason]),
          [["version.dll", "unreadable"]],
        );
        const rec = recordsOf((await runCli(["triage", path.join(dir, "kofmsp.dll"), "--json"])).stdout);
        const location = rec.get("kofmsp.dll")?.indicators.find((i) => i.id === "location");
        assert.equal(location?.details?.sideLoading, "unknown");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("side-loading over host files: each neighbour is stat'ed once (the listing) and opened with O_NOFOLLOW", (t) => {
      // strace shows the system calls on the neighbour's path: one lstat-like call from the
      // listing, one open that refuses a link itself; no second lstat before the open.
      const traced = spawnSync("strace", ["-f", "-qq", "-e", "trace=none", "true"]);
      if (traced.error !== undefined || traced.status !== 0)
        return t.skip("strace is missing or cannot trace here (apt-get install strace)");
      const dir = mkdtempSync(path.join(tmpdir(), "koff-sideload-calls-"));
      try {
        copyFileSync(PE, path.join(dir, "kofmsp.dll"));
        copyFileSync(PE, path.join(dir, "neighbour-a.dll"));
        const script = [
          `import { HostFileSystem } from ${JSON.stringify(new URL("../../src/adapters/host/host-file-system.js", import.meta.url).href)};`,
          `import { fileSystemLister, scanFolder } from ${JSON.stringify(new URL("../../src/triage/sibling-loaders.js", import.meta.url).href)};`,
          `const scan = await scanFolder(${JSON.stringify(dir)}, fileSystemLister(new HostFileSystem({ imageRoot: ${JSON.stringify(dir)} })));`,
          `if (scan.modules.length !== 2 || scan.notRead.length !== 0) throw new Error(JSON.stringify(scan));`,
        ].join("\n");
        const r = spawnSync(
          "strace",
          [
            "-f",
            "-qq",
            "-e",
            "trace=stat,lstat,newfstatat,statx,open,openat",
            process.execPath,
            "--input-type=module",
            "-e",
            script,
          ],
          { encoding: "utf8", maxBuffer: 64 << 20 },
        );
        assert.equal(r.status, 0, r.stderr.slice(-2000));
        const calls = r.stderr.split("\n").filter((l) => l.includes(path.join(dir, "neighbour-a.dll")));
        const stats = calls.filter((l) => /\b(stat|lstat|newfstatat|statx)\(/.test(l));
        const opens = calls.filter((l) => /\bopen(at)?\(/.test(l));
        assert.equal(stats.length, 1, `one stat of the neighbour:\n${calls.join("\n")}`);
        assert.equal(opens.length, 1, calls.join("\n"));
        assert.match(opens[0]!, /O_NOFOLLOW/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("HostFileSystem.openFile refuses what the open finds: a link, a FIFO (without blocking), a folder, a file over the cap, a file reached through a folder link out of the root", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "koff-openfile-"));
      try {
        copyFileSync(PE, path.join(dir, "real.dll"));
        symlinkSync("real.dll", path.join(dir, "link.dll"));
        mkdirSync(path.join(dir, "folder.dll"));
        symlinkSync(outside, path.join(dir, "out"));
        if (haveMkfifo) spawnSync("mkfifo", [path.join(dir, "pipe.dll")]);
        const fs = new HostFileSystem({ imageRoot: dir });
        const real = await fs.openFile(path.join(dir, "real.dll"));
        assert.ok(real && real.size > 0);
        await real.close();
        for (const name of [
          "link.dll",
          "folder.dll",
          "pipe.dll",
          "missing.dll",
          path.join("out", "evil.dll"),
        ])
          assert.equal(await fs.openFile(path.join(dir, name)), undefined, name);
        assert.equal(await fs.openFile(path.join(dir, "real.dll"), 16), undefined, "over the cap");
        // Without an image root the folder link is the analyst's own: the file behind it opens.
        const plain = await new HostFileSystem().openFile(path.join(dir, "out", "evil.dll"));
        assert.ok(plain);
        await plain.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("side-loading in an image: the image listing names a link (never followed), and triage --image reads unknown", async () => {
      const fs = new ImageFileSystem(image);
      const scan = await scanFolder("C:\\Users\\x", fileSystemLister(fs));
      assert.deepEqual(
        scan.notRead.map((n) => [n.name, n.reason]),
        [
          ["inside.dll", "unreadable"],
          ["kofmsp.dll", "unreadable"],
        ],
      );
      assert.equal(await fs.readFile("C:\\Users\\x\\kofmsp.dll"), undefined);
      const rec = recordsOf(
        (await runCli(["triage", path.join(folder, "real.dll"), "--image", image, "--json"])).stdout,
      );
      const location = rec.get("real.dll")?.indicators.find((i) => i.id === "location");
      assert.equal(location?.details?.sideLoading, "unknown");
      assert.match(location?.evidence ?? "", /not read \(.*unreadable/);
    });

    it("check --image: a version.dll link planted in the install folder makes side-loading unknown, not none-found", async () => {
      const install = path.join(image, "Program Files (x86)", "Kerio", "Outlook Connector (Offline Edition)");
      const link = path.join(install, "version.dll");
      symlinkSync(path.join(outside, "evil.dll"), link);
      try {
        const r = await runCli(["check", "--image", image, "--json"]);
        const triage = (JSON.parse(r.stdout) as { triage: FileRecord[] }).triage;
        const dll = triage.find((t) => t.windowsPath?.endsWith("\\kofmsp32.dll"));
        assert.ok(dll, "kofmsp32.dll was triaged");
        const location = dll.indicators.find((i) => i.id === "location");
        assert.equal(location?.details?.sideLoading, "unknown");
      } finally {
        rmSync(link);
      }
    });
  },
);

describe(
  "image hives that are not files",
  { skip: skip || (haveMkfifo ? false : "mkfifo is missing") },
  () => {
    let root: string;
    let image: string;
    before(() => {
      ({ root, image } = copyImage("healthy"));
      const software = path.join(image, "Windows", "System32", "config", "SOFTWARE");
      rmSync(software);
      assert.equal(spawnSync("mkfifo", [software]).status, 0);
      const ntuser = path.join(image, "Users", "alice", "NTUSER.DAT");
      rmSync(ntuser);
      mkdirSync(ntuser);
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    it("the hive port reports a FIFO or folder hive through health(), its keys absent", async () => {
      const reg = new HiveRegistryPort(image);
      assert.equal(await reg.getKey("HKLM\\SOFTWARE\\Microsoft"), undefined);
      assert.equal(await reg.getKey("HKU\\alice\\Software"), undefined);
      assert.deepEqual(
        (await reg.health()).map((h) => [h.mount, h.anomalies.map((a) => a.code)]),
        [
          ["HKLM\\SOFTWARE", ["not-a-file"]],
          ["HKU\\alice", ["is-a-directory"]],
        ],
      );
    });

    it("check --image: the JSON carries an unknown note naming the FIFO hive, and the run does not block (child process)", () => {
      // The child's timeout is only a safety net: a read of the FIFO would block forever.
      const r = spawnSync(
        process.execPath,
        [path.join(REPO_ROOT, "bin", "koff-doctor.cjs"), "check", "--image", image, "--json"],
        { encoding: "utf8", timeout: 120_000, killSignal: "SIGKILL" },
      );
      assert.equal(r.signal, null, "check blocked on the FIFO hive");
      const unknown = (JSON.parse(r.stdout) as { facts: { unknown: Record<string, string> } }).facts.unknown;
      assert.match(unknown["hive:HKLM\\SOFTWARE"] ?? "", /not-a-file/);
      assert.match(unknown["hive:HKU\\alice"] ?? "", /is-a-directory/);
    });
  },
);
