/**
 * `triage -r --jobs N` (src/app/triage-pool.ts, src/app/triage-worker.ts): the output across
 * worker threads is byte for byte the one-thread run's, in every format and with every filter,
 * on a tree with several folders, side-loading kits (a DLL beside the EXE that imports it),
 * a renamed PE, a broken PE, a FIFO and a symbolic link leading out of the image; a folder
 * cut between workers gets the verdicts of the uncut run; re-ordering holds back a bounded
 * number of records; a worker that fails gives its files error records; bad `--jobs` values are
 * usage errors; and Ctrl-C, a closed pipe and a normal end leave no thread keeping the process
 * alive.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import pc from "picocolors";
import { createSignatureVerifier, type VerifierOptions } from "../../src/app/signature-verifier.js";
import { streamHostFiles } from "../../src/app/triage-host-files.js";
import {
  autoJobs,
  AUTO_MAX_JOBS,
  AUTO_MIN_BYTES,
  AUTO_MIN_FILES,
  folderChunks,
  reorderWindow,
  streamHostFilesInWorkers,
} from "../../src/app/triage-pool.js";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/io.js";
import { expandInputs } from "../../src/cli/input-files.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import type { TriageRecord } from "../../src/triage/index.js";
import { FIXTURES, REPO_ROOT } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const TRUST = path.join(FIXTURES, "pki", "trust-anchors.pem");
const AT_ISO = "2026-11-21T00:00:00Z";
const AT = ["--at", AT_ISO, "--trust", TRUST];
const PE = path.join(FIXTURES, "pe");
const SIDELOAD = path.join(FIXTURES, "triage-rules", "sideload");
const peFixtures = readdirSync(PE).filter((n) => /\.(dll|exe)$/.test(n));

/**
 * A tree like a small disk: the side-loading kits of fixtures/triage-rules/sideload, the PE
 * fixtures spread over three folders (one of 40+ files, cut into two chunks), a renamed DLL, a
 * truncated PE (an error record), a FIFO named like a DLL and a link leading out of the tree.
 */
function buildTree(): string {
  const root = mkdtempSync(path.join(tmpdir(), "koff-jobs-"));
  cpSync(SIDELOAD, root, { recursive: true });
  const system = path.join(root, "Windows", "System32");
  const apps = path.join(root, "Program Files", "App");
  const temp = path.join(root, "Users", "bob", "AppData", "Local", "Temp");
  for (const dir of [system, apps, temp]) mkdirSync(dir, { recursive: true });
  for (const name of peFixtures) copyFileSync(path.join(PE, name), path.join(system, name));
  for (const name of peFixtures.slice(0, 6)) copyFileSync(path.join(PE, name), path.join(apps, name));
  copyFileSync(path.join(PE, "helper-unsigned-x64.dll"), path.join(temp, "update.tmp"));
  // A PE whose optional header magic is neither PE32 nor PE32+: an error record.
  const bad = Buffer.from(readFileSync(path.join(PE, "tiny-x64.dll")));
  bad.writeUInt16LE(0x0bad, bad.readUInt32LE(0x3c) + 24);
  writeFileSync(path.join(temp, "cut.dll"), bad);
  spawnSync("mkfifo", [path.join(temp, "pipe.dll")]);
  symlinkSync(path.join(PE, "tiny-x64.dll"), path.join(temp, "escape.dll"));
  return root;
}

describe("triage --jobs 3 prints what --jobs 1 prints", () => {
  let tree = "";
  before(() => (tree = buildTree()));
  after(() => rmSync(tree, { recursive: true, force: true }));

  const variants: Array<[string, string[]]> = [
    ["text", []],
    ["text --verbose --explain", ["--verbose", "--explain"]],
    ["--json", ["--json"]],
    ["--jsonl", ["--jsonl"]],
    ["--sarif", ["--sarif"]],
    ["--only suspicious", ["--jsonl", "--only", "suspicious"]],
    ["--only malicious (text)", ["--only", "malicious"]],
    ["--provider-like", ["--json", "--provider-like"]],
  ];
  for (const [name, flags] of variants)
    it(`${name}: stdout, stderr and exit code, with and without --image`, async () => {
      for (const image of [[], ["--image", tree]]) {
        const args = ["triage", "-r", tree, ...image, ...AT, ...flags];
        const one = await runCli([...args, "--jobs", "1"]);
        const three = await runCli([...args, "--jobs", "3"]);
        assert.equal(three.stdout, one.stdout);
        assert.equal(three.stderr, one.stderr);
        assert.equal(three.code, one.code);
        assert.ok(one.stdout.length > 0);
      }
    });

  it("the tree holds what it is meant to: kits judged malicious, every kind of error record", async () => {
    const r = await runCli(["triage", "-r", tree, "--image", tree, "--jsonl", ...AT, "--jobs", "3"]);
    const records = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as TriageRecord);
    const byName = (n: string) => records.filter((x) => path.basename(x.path) === n);
    assert.ok(
      byName("kofmsp.dll").length >= 3 && byName("kofmsp.dll").every((x) => x.verdict === "malicious"),
    );
    assert.ok(byName("update.tmp")[0]?.pe !== undefined, "renamed DLL found by content");
    assert.equal(byName("cut.dll")[0]?.error?.code, "bad-optional-header-magic");
    assert.equal(byName("escape.dll")[0]?.error?.code, "outside-root");
    assert.match(r.stderr, /pipe\.dll: not-a-file/);
    // Input order: refused inputs first (as without workers), then the walk's order.
    const inputs = await expandInputs([tree], true);
    const walked = [...inputs.filter((i) => i.problem), ...inputs.filter((i) => !i.problem)].map(
      (i) => i.path,
    );
    assert.deepEqual(
      records.map((x) => x.path),
      walked,
    );
  });
});

/** The records of a run in one thread and across `jobs` workers cutting folders every `chunkFiles` files. */
async function bothWays(
  files: string[],
  jobs: number,
  chunkFiles: number,
  imageRoot?: string,
): Promise<[TriageRecord[], TriageRecord[]]> {
  const verifierOptions: VerifierOptions = { trustFiles: [TRUST], at: new Date(AT_ISO) };
  const verifier = await createSignatureVerifier(verifierOptions);
  const one: TriageRecord[] = [];
  await streamHostFiles(
    files,
    { knowledge: loadKnowledge(), verifySignature: verifier.verify, imageRoot },
    (r, i) => void (one[i] = r),
  );
  const many: TriageRecord[] = [];
  const { handed, failures } = await streamHostFilesInWorkers(
    files,
    { jobs, chunkFiles, imageRoot, verifier: verifierOptions },
    (r, i) => {
      assert.equal(i, many.length, "handed in input order");
      many.push(r);
    },
  );
  assert.equal(handed, files.length);
  assert.deepEqual(failures, []);
  return [one, many];
}

describe("a folder cut between workers", () => {
  it("gets the verdicts of the uncut run: every file its own chunk, side-loading kits included", async () => {
    const files = (await expandInputs([SIDELOAD], true)).map((i) => i.path);
    assert.ok(files.length >= 10);
    const [one, many] = await bothWays(files, 3, 1, SIDELOAD);
    assert.deepEqual(many, one);
    assert.ok(one.filter((r) => r.verdict === "malicious").length >= 4, "the kits are found");
  });

  it("fixtures/pe cut into chunks of 5 across 2 workers", async () => {
    const files = peFixtures.map((n) => path.join(PE, n));
    const [one, many] = await bothWays(files, 2, 5);
    assert.deepEqual(many, one);
  });
});

describe("folder chunks and the automatic choice", () => {
  it("cuts where the folder changes and where a chunk is full", () => {
    const files = ["/a/1", "/a/2", "/a/3", "/b/1", "/a/4"];
    assert.deepEqual(folderChunks(files, 2), [
      { first: 0, paths: ["/a/1", "/a/2"] },
      { first: 2, paths: ["/a/3"] },
      { first: 3, paths: ["/b/1"] },
      { first: 4, paths: ["/a/4"] },
    ]);
    assert.deepEqual(folderChunks([], 2), []);
  });

  it("auto: no worker on two cores or for little work; one per core but one, capped, otherwise", () => {
    assert.equal(autoJobs(100_000, 10 ** 12, 2), 1);
    assert.equal(autoJobs(100_000, undefined, 1), 1);
    assert.equal(autoJobs(AUTO_MIN_FILES - 1, AUTO_MIN_BYTES - 1, 16), 1);
    assert.equal(autoJobs(AUTO_MIN_FILES, undefined, 6), 5);
    assert.equal(autoJobs(AUTO_MIN_FILES, undefined, 16), AUTO_MAX_JOBS);
    assert.equal(autoJobs(10, AUTO_MIN_BYTES, 4), 3);
    assert.equal(autoJobs(10_000, undefined, 128), AUTO_MAX_JOBS);
  });
});

describe("back-pressure and failures", () => {
  it("a slow reader holds back the workers: judged but unprinted records stay within the window", async () => {
    const files = Array.from({ length: 12 }, () => peFixtures.map((n) => path.join(PE, n))).flat();
    const verifier: VerifierOptions = { trustFiles: [TRUST], at: new Date(AT_ISO) };
    const jobs = 2;
    const chunkFiles = 3;
    let received = 0;
    let handed = 0;
    let most = 0;
    await streamHostFilesInWorkers(
      files,
      { jobs, chunkFiles, verifier, onProgress: (done) => (received = done) },
      async () => {
        most = Math.max(most, received - handed);
        // The reader is much slower than the workers.
        await new Promise((resolve) => setTimeout(resolve, 5));
        handed++;
      },
    );
    assert.equal(handed, files.length);
    assert.ok(most <= reorderWindow(jobs, chunkFiles), `${most} held`);
    assert.ok(most > 0);
  });

  it("a worker that dies mid-chunk: its record so far kept, the rest worker-failed, in order", async () => {
    const files = ["/x/a.dll", "/x/b.dll", "/x/c.dll", "/x/d.dll", "/y/e.dll"];
    // A stand-in worker: judges the first file of its first chunk, then throws.
    const code = `const { parentPort } = require("node:worker_threads");
      parentPort.once("message", (m) => {
        parentPort.postMessage({ type: "record", index: m.first,
          record: { path: m.paths[0], sha256: "", size: 0, verdict: "clean", indicators: [] } });
        setTimeout(() => { throw new Error("boom"); }, 20);
      });`;
    const records: TriageRecord[] = [];
    const { handed, failures } = await streamHostFilesInWorkers(
      files,
      { jobs: 1, chunkFiles: 2, verifier: { trustFiles: [] }, entry: { code } },
      (r) => void records.push(r),
    );
    assert.equal(handed, files.length);
    assert.deepEqual(
      records.map((r) => [r.path, r.verdict, r.error?.code]),
      [
        ["/x/a.dll", "clean", undefined],
        ["/x/b.dll", "error", "worker-failed"],
        ["/x/c.dll", "error", "worker-failed"],
        ["/x/d.dll", "error", "worker-failed"],
        ["/y/e.dll", "error", "worker-failed"],
      ],
    );
    assert.match(records[1]!.error!.message, /boom/);
    assert.deepEqual(
      failures.map((f) => [f.message, f.files]),
      [["boom", 4]],
      "one failure for the one worker lost, counting the chunk no worker was left for",
    );
  });

  it("workers lost with many chunks left: one failure per worker, their files adding up to the worker-failed records", async () => {
    // 12 folders of 2 files: 12 chunks. Each stand-in worker judges one file, then throws.
    const files = Array.from({ length: 24 }, (_, i) => `/d${Math.floor(i / 2)}/f${i}.dll`);
    const code = `const { parentPort } = require("node:worker_threads");
      parentPort.once("message", (m) => {
        parentPort.postMessage({ type: "record", index: m.first,
          record: { path: m.paths[0], sha256: "", size: 0, verdict: "clean", indicators: [] } });
        setTimeout(() => { throw new Error("lost " + m.first); }, 20);
      });`;
    const records: TriageRecord[] = [];
    const { handed, failures } = await streamHostFilesInWorkers(
      files,
      { jobs: 3, chunkFiles: 2, verifier: { trustFiles: [] }, entry: { code } },
      (r) => void records.push(r),
    );
    assert.equal(handed, files.length);
    assert.deepEqual(
      records.map((r) => r.path),
      files,
      "every file has its record, in order",
    );
    const failed = records.filter((r) => r.error?.code === "worker-failed").length;
    assert.equal(failed, files.length - 3, "all but the 3 files judged");
    assert.equal(failures.length, 3, `one failure per worker: ${JSON.stringify(failures)}`);
    assert.equal(
      failures.reduce((n, f) => n + f.files, 0),
      failed,
    );
    for (const f of failures) assert.match(f.message, /^lost \d+$/);
  });

  it("a worker that cannot start gives each of its files a worker-failed record, in order", async () => {
    const files = peFixtures.slice(0, 7).map((n) => path.join(PE, n));
    const records: TriageRecord[] = [];
    const { handed, failures } = await streamHostFilesInWorkers(
      files,
      {
        jobs: 2,
        chunkFiles: 2,
        // The trust file vanished after the main thread read it: every worker fails to build its verifier.
        verifier: { trustFiles: [path.join(tmpdir(), `koff-gone-${process.pid}.pem`)] },
      },
      (r) => void records.push(r),
    );
    assert.equal(handed, files.length);
    assert.deepEqual(
      records.map((r) => r.path),
      files,
    );
    assert.ok(records.every((r) => r.verdict === "error" && r.error?.code === "worker-failed"));
    assert.ok(failures.length >= 1 && failures.length <= 2, `one failure per worker: ${failures.length}`);
    assert.equal(
      failures.reduce((n, f) => n + f.files, 0),
      files.length,
    );
  });
});

describe("--jobs on the command line", () => {
  for (const bad of ["0", "-1", "1.5", "two", "", "65", "1e3", " 2"])
    it(`--jobs '${bad}' is a usage error (64)`, async () => {
      const r = await runCli(["triage", path.join(PE, "tiny-x64.dll"), "--jobs", bad]);
      assert.equal(r.code, 64, r.stderr);
      assert.match(r.stderr, /--jobs/);
    });

  it("--jobs 1, 2 and auto are taken", async () => {
    for (const jobs of ["1", "2", "auto"]) {
      const r = await runCli(["triage", path.join(PE, "tiny-x64.dll"), ...AT, "--jobs", jobs]);
      assert.notEqual(r.code, 64, r.stderr);
    }
  });

  it("the help text names --jobs and auto", async () => {
    const r = await runCli(["triage", "--help"]);
    assert.match(r.stdout, /--jobs <n>[\s\S]*auto/);
  });

  it("the progress line on a terminal counts every file across workers", async () => {
    let stderr = "";
    const io: CliIo = {
      stdout: () => undefined,
      stderr: (t) => void (stderr += t),
      colors: pc.createColors(false),
      interactive: true,
      env: {},
      cwd: process.cwd(),
      columns: () => 200,
    };
    const n = peFixtures.length;
    await main(["triage", "-r", PE, "--jsonl", ...AT, "--jobs", "3"], io);
    const counts = [...stderr.matchAll(/triage (\d+)\/(\d+) files/g)].map((m) => ({
      done: Number(m[1]),
      total: Number(m[2]),
    }));
    assert.ok(counts.length > 0, stderr);
    assert.ok(counts.every((c) => c.total === n));
    assert.ok(counts.some((c) => c.done > 1));
  });
});

/**
 * Runs the CLI's `main` in a child Node (the tsc build, not the launcher, which ends the process
 * itself) and reports whether the process ended by itself: a worker thread left running would
 * keep it alive (the test then fails by its timeout).
 */
function child(
  args: string[],
  act: (c: ReturnType<typeof spawn>) => void,
  shell?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const mainUrl = pathToFileURL(path.join(REPO_ROOT, "dist", "src", "cli", "main.js")).href;
  const script = `import(${JSON.stringify(mainUrl)}).then(async (m) => { process.exitCode = await m.main(${JSON.stringify(args)}); });`;
  return new Promise((resolve, reject) => {
    const c =
      shell === undefined
        ? spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] })
        : spawn("bash", ["-c", shell], {
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, KOFF_NODE: process.execPath, KOFF_SCRIPT: script },
          });
    let stdout = "";
    let stderr = "";
    c.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
    c.stdout!.on("data", (b: Buffer) => {
      if (stdout === "") act(c);
      stdout += b.toString();
    });
    c.on("error", reject);
    c.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("stopping a run across workers", { timeout: 300_000 }, () => {
  // Enough files that the run is still going when the signal arrives.
  const many = Array.from({ length: 30 }, () => peFixtures.map((n) => path.join(PE, n))).flat();

  it("a run that ends leaves no thread behind: the process exits by itself", async () => {
    const r = await child(
      ["triage", ...peFixtures.map((n) => path.join(PE, n)), "--jsonl", ...AT, "--jobs", "3"],
      () => undefined,
    );
    assert.equal(r.stdout.trim().split("\n").length, peFixtures.length);
    assert.equal(r.code, 2, r.stderr);
  });

  it("Ctrl-C: records and summary so far, exit 130, no stack trace, no thread left", async () => {
    const r = await child(["triage", ...many, ...AT, "--jobs", "3"], (c) => c.kill("SIGINT"));
    assert.equal(r.code, 130, r.stderr);
    const m = /Summary: (\d+) file\(s\) judged of (\d+) found \(interrupted\)/.exec(r.stdout);
    assert.ok(m, r.stdout.slice(-500));
    assert.ok(Number(m[1]) > 0 && Number(m[1]) < many.length, m[0]);
    assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/, "no stack trace");
  });

  it("Ctrl-C during --json through the launcher: a complete document of the files so far", async () => {
    const bin = path.join(REPO_ROOT, "bin", "koff-doctor.cjs");
    const r = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const c = spawn(process.execPath, [bin, "triage", ...many, "--json", ...AT, "--jobs", "3"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let sent = false;
      c.stdout.on("data", (b: Buffer) => {
        stdout += b.toString();
        // Once a record is out (the document's head comes before any file is judged).
        if (!sent && stdout.includes('"path"')) c.kill("SIGINT");
        sent ||= stdout.includes('"path"');
      });
      c.on("error", reject);
      c.on("close", (code) => resolve({ code, stdout }));
    });
    assert.equal(r.code, 130);
    const doc = JSON.parse(r.stdout) as { files: TriageRecord[]; summary: Record<string, number> };
    assert.ok(doc.files.length > 0 && doc.files.length < many.length);
    assert.deepEqual(
      doc.files.map((f) => f.path),
      many.slice(0, doc.files.length),
    );
  });

  it("| head -c 100: quiet, a triage exit code, no thread left", async () => {
    const args = ["triage", ...many, "--json", ...AT, "--jobs", "3"];
    const r = await child(
      args,
      () => undefined,
      // stderr goes through the pipe too: anything said there would show after the head.
      `{ "$KOFF_NODE" -e "$KOFF_SCRIPT" 2>&3 | head -c 100 >/dev/null; echo "exit=\${PIPESTATUS[0]}"; } 3>&1`,
    );
    const code = Number(/exit=(\d+)/.exec(r.stdout)?.[1]);
    assert.ok([0, 1, 2, 3].includes(code), `exit ${code}: ${r.stdout}`);
    assert.equal(r.stdout.replace(/exit=\d+\n/, ""), "", "nothing on stderr");
  });
});
