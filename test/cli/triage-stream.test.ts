/**
 * Issue "Triage a whole disk": selection by content (a renamed DLL is found, `--ext` keeps the
 * extension rule), `--only` and `--provider-like` filters, the streamed `--json` document equal
 * to the one rendered at once, JSON Lines, the closing summary table; and, through the real
 * launcher, Ctrl-C (records and summary so far, exit 130) and a closed pipe (`| head -c 100`:
 * quiet, a triage exit code), neither with a stack trace.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import pc from "picocolors";
import { renderProgressLine } from "../../src/cli/render/triage-text.js";
import { TriageSink } from "../../src/cli/triage-output.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import { renderTriageJson } from "../../src/report/triage-json.js";
import type { TriageRecord } from "../../src/triage/index.js";
import { providerLikeReasons } from "../../src/triage/provider-like.js";
import { FIXTURES, REPO_ROOT } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

/** The test PKI trusted, so some fixtures are clean. */
const AT = ["--at", "2026-11-21T00:00:00Z", "--trust", path.join(FIXTURES, "pki", "trust-anchors.pem")];
const PE = path.join(FIXTURES, "pe");
const peFixtures = readdirSync(PE)
  .filter((n) => /\.(dll|exe)$/.test(n))
  .map((n) => path.join(PE, n));

const lines = (out: string): TriageRecord[] =>
  out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as TriageRecord);

describe("triage -r picks PE files by content", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "koff-select-"));
    mkdirSync(path.join(dir, "Temp"));
    copyFileSync(path.join(PE, "helper-unsigned-x64.dll"), path.join(dir, "Temp", "update.tmp"));
    copyFileSync(path.join(PE, "tiny-x64.dll"), path.join(dir, "Temp", "noextension"));
    writeFileSync(path.join(dir, "Temp", "fake.dll"), "MZ but no PE header here, just text\n".repeat(40));
    writeFileSync(path.join(dir, "Temp", "notes.txt"), "hello");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("finds a renamed DLL and skips a non-PE file named .dll", async () => {
    const r = await runCli(["triage", "-r", dir, "--jsonl", ...AT]);
    const names = lines(r.stdout).map((x) => path.basename(x.path));
    assert.deepEqual(names.sort(), ["noextension", "update.tmp"]);
    assert.ok(lines(r.stdout).every((x) => x.pe !== undefined));
  });

  it("--ext keeps the extension rule", async () => {
    const r = await runCli(["triage", "-r", "--ext", dir, "--jsonl", ...AT]);
    const records = lines(r.stdout);
    assert.deepEqual(
      records.map((x) => path.basename(x.path)),
      ["fake.dll"],
    );
    assert.equal(records[0]!.verdict, "error");
  });
});

describe("triage --only and --provider-like", () => {
  let all: TriageRecord[] = [];
  before(async () => {
    all = lines((await runCli(["triage", ...peFixtures, "--jsonl", ...AT])).stdout);
  });

  it("--only malicious prints the malicious files, --only suspicious also the suspicious ones", async () => {
    for (const [only, levels] of [
      ["malicious", ["malicious"]],
      ["suspicious", ["malicious", "suspicious"]],
    ] as const) {
      const r = await runCli(["triage", ...peFixtures, "--jsonl", "--only", only, ...AT]);
      const shown = lines(r.stdout).map((x) => x.path);
      const expected = all
        .filter((x) => (levels as readonly string[]).includes(x.verdict))
        .map((x) => x.path);
      assert.ok(expected.length > 0, only);
      if (only === "malicious") assert.ok(expected.length < all.length);
      assert.deepEqual(shown, expected, only);
      // The exit code still judges every file.
      assert.equal(r.code, 2);
    }
  });

  it("--only suspicious leaves out clean files (the healthy sample image)", async () => {
    const image = path.join(REPO_ROOT, "examples", "healthy");
    const every = lines((await runCli(["triage", "-r", image, "--image", image, "--jsonl", ...AT])).stdout);
    assert.ok(every.length > 0 && every.every((x) => x.verdict === "clean"));
    const r = await runCli([
      "triage",
      "-r",
      image,
      "--image",
      image,
      "--jsonl",
      "--only",
      "suspicious",
      ...AT,
    ]);
    assert.equal(r.stdout, "");
    assert.equal(r.code, 0);
  });

  it("--only takes suspicious or malicious, nothing else", async () => {
    assert.equal((await runCli(["triage", peFixtures[0]!, "--only", "clean"])).code, 64);
  });

  it("--provider-like keeps files named like the provider, exporting its entry points, or Kerio-made", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "koff-provider-"));
    try {
      // A plain DLL (no exports, no version resource) renamed like the provider counts by its name alone.
      copyFileSync(path.join(PE, "tiny-x64.dll"), path.join(dir, "kofmsp_old.dll"));
      copyFileSync(path.join(PE, "tiny-x64.dll"), path.join(dir, "plain.dll"));
      const inputs = [...peFixtures, path.join(dir, "kofmsp_old.dll"), path.join(dir, "plain.dll")];
      const r = await runCli(["triage", ...inputs, "--jsonl", "--provider-like", ...AT]);
      const shown = lines(r.stdout);
      const knowledge = loadKnowledge();
      assert.ok(shown.some((x) => x.path.endsWith("kofmsp_old.dll")));
      assert.ok(!shown.some((x) => x.path.endsWith("plain.dll")));
      for (const x of shown) assert.ok(providerLikeReasons(x, knowledge).length > 0, x.path);
      const reasons = new Set(shown.flatMap((x) => providerLikeReasons(x, knowledge)));
      assert.ok(reasons.has("exports") && reasons.has("signer") && reasons.has("name"), [...reasons].join());
      const left = all.filter((x) => !shown.some((s) => s.path === x.path));
      assert.ok(left.length > 0, "the filter must leave something out");
      for (const x of left) assert.deepEqual(providerLikeReasons(x, knowledge), [], x.path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("streamed output", () => {
  it("--json written piece by piece is the document rendered at once", async () => {
    const json = await runCli(["triage", ...peFixtures, "--json", ...AT]);
    const doc = JSON.parse(json.stdout) as {
      policy: Parameters<typeof renderTriageJson>[1];
      files: TriageRecord[];
    };
    assert.equal(json.stdout, renderTriageJson(doc.files, doc.policy));
    const jsonl = await runCli(["triage", ...peFixtures, "--jsonl", ...AT]);
    assert.deepEqual(lines(jsonl.stdout), doc.files);
    assert.equal(jsonl.stdout.trimEnd().split("\n").length, peFixtures.length);
  });

  it("an empty walk is still one valid document", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "koff-empty-"));
    try {
      const r = await runCli(["triage", "-r", dir, "--json"]);
      const doc = JSON.parse(r.stdout) as { files: unknown[]; summary: Record<string, number> };
      assert.deepEqual(doc.files, []);
      assert.deepEqual(doc.summary, { clean: 0, suspicious: 0, malicious: 0, error: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("text ends with the summary table: counts, then flagged files worst first with a reason", async () => {
    const r = await runCli(["triage", ...peFixtures, ...AT]);
    const table = r.stdout.slice(r.stdout.indexOf("Summary:"));
    assert.match(table, new RegExp(`Summary: ${peFixtures.length} file\\(s\\) judged`));
    const flagged = table
      .split("\n")
      .filter((l) => /^ {2}(MALICIOUS|SUSPICIOUS)/.test(l))
      .map((l) => l.trim().split(/\s+/)[0]);
    assert.ok(flagged.length > 0);
    assert.deepEqual(
      flagged,
      [...flagged].sort((a, b) => (a === b ? 0 : a === "MALICIOUS" ? -1 : 1)),
    );
    assert.ok(flagged.includes("MALICIOUS") && flagged.includes("SUSPICIOUS"));
    assert.equal(r.stdout.indexOf("Summary:"), r.stdout.lastIndexOf("Summary:"), "one summary");
  });
});

/** Runs the launcher; `onFirstData` acts once stdout has given something. */
function launch(
  args: string[],
  onFirstData: (child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin", "koff-doctor.cjs"), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
    child.stdout!.on("data", (b: Buffer) => {
      if (stdout === "") onFirstData(child);
      stdout += b.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("stopping a long run", () => {
  // Enough files that the run is still going when the signal arrives.
  const many = Array.from({ length: 30 }, () => peFixtures).flat();

  it("Ctrl-C prints the records and summary so far and exits 130", async () => {
    const r = await launch(["triage", ...many, ...AT], (child) => child.kill("SIGINT"));
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stdout, /Summary: \d+ file\(s\) judged of \d+ found \(interrupted\)/);
    const judged = Number(/Summary: (\d+)/.exec(r.stdout)![1]);
    assert.ok(judged > 0 && judged < many.length, `${judged} of ${many.length}`);
    assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/, "no stack trace");
  });

  it("Ctrl-C during --json still ends the document, valid JSON", async () => {
    const r = await launch(["triage", ...many, "--json", ...AT], (child) => child.kill("SIGINT"));
    assert.equal(r.code, 130, r.stderr);
    const doc = JSON.parse(r.stdout) as { files: unknown[]; summary: Record<string, number> };
    assert.ok(doc.files.length > 0 && doc.files.length < many.length);
    assert.equal(
      Object.values(doc.summary).reduce((a, b) => a + b, 0),
      doc.files.length,
    );
  });

  it("| head -c 100 ends quietly, without a stack trace, with a triage exit code", async () => {
    const r = await new Promise<{ code: number; stderr: string; head: string }>((resolve, reject) => {
      const bin = path.join(REPO_ROOT, "bin", "koff-doctor.cjs");
      const quoted = [process.execPath, bin, "triage", ...many, "--json", ...AT]
        .map((a) => `'${a}'`)
        .join(" ");
      const child = spawn("bash", ["-c", `${quoted} 2>"$ERR" | head -c 100; echo "exit=\${PIPESTATUS[0]}"`], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ERR: path.join(tmpdir(), `koff-epipe-${process.pid}.err`) },
      });
      let out = "";
      child.stdout.on("data", (b: Buffer) => (out += b.toString()));
      child.on("error", reject);
      child.on("close", () => {
        const err = path.join(tmpdir(), `koff-epipe-${process.pid}.err`);
        import("node:fs")
          .then((fs) => {
            const stderr = fs.readFileSync(err, "utf8");
            fs.rmSync(err, { force: true });
            resolve({ code: Number(/exit=(\d+)/.exec(out)![1]), stderr, head: out });
          })
          .catch(reject);
      });
    });
    assert.ok(r.head.startsWith("{\n"), r.head);
    assert.equal(r.stderr, "");
    assert.ok([0, 1, 2, 3].includes(r.code), `exit ${r.code}`);
  });
});

describe("progress line", () => {
  const record = (i: number): TriageRecord => ({
    path: `/disk/folder${i % 3}/f${i}.dll`,
    sha256: "",
    size: 1_000_000,
    verdict: "clean",
    indicators: [],
  });

  /** A sink over a captured io; `tty` says whether stderr is a terminal. */
  function run(tty: boolean): string {
    let stderr = "";
    const io = {
      stdout: () => undefined,
      stderr: (t: string) => void (stderr += t),
      colors: pc.createColors(false),
      interactive: tty,
      env: {},
      cwd: "/",
      columns: () => 40,
    };
    const sink = new TriageSink(io, {
      format: "jsonl",
      policy: { at: "", trust: [], signatures: "primary" },
      found: 5,
      progress: tty,
    });
    for (let i = 0; i < 5; i++) sink.record(record(i));
    void sink.end();
    return stderr;
  }

  it("on a terminal: files done of found, MB/s, the folder, cut to the width, erased at the end", () => {
    const err = run(true);
    const first = err.split("\r").find((l) => l.startsWith("triage "))!;
    assert.match(first, /^triage 1\/5 files · [\d.]+ MB\/s · /);
    assert.ok(first.replace("\x1b[K", "").length <= 39, JSON.stringify(first));
    assert.ok(err.endsWith("\r\x1b[K"), "erased on exit");
    // A carriage return, then at most columns − 1 characters, the folder's end kept.
    const cut = renderProgressLine(3, 9, 2e6, "/a/very/long/folder/name/here/and/deeper/still", 50);
    assert.equal(cut.replace("\x1b[K", "").length, 50, cut);
    assert.ok(cut.endsWith("/still\x1b[K") && cut.includes("…"), cut);
  });

  it("not on a terminal: nothing on stderr", () => {
    assert.equal(run(false), "");
  });
});
