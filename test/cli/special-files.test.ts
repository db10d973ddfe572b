/**
 * Inputs that are not files, and capped reads (issue 10): a directory without `-r`, FIFOs,
 * devices (`/dev/zero`, `/dev/urandom`, `/dev/null`), symlink loops, dangling links, sockets and
 * files over the cap, given as `triage` PATH, `--trust`, `registry export HIVE`, `--bundle`,
 * `--image`, `--html` and `collect --out`, and inside a `triage -r` tree. Each is refused with its
 * typed code on stderr and the documented exit code, without a stack trace; nothing blocks on a
 * FIFO (those cases run the real launcher in a child process, whose timeout is only a safety net);
 * a file over the cap is refused without reading it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import pc from "picocolors";
import { renderCheckText } from "../../src/cli/render/check-text.js";
import { READ_LIMITS } from "../../src/limits.js";
import { checkMachine } from "../../src/app/check-machine.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { InputFileError } from "../../src/util/input-file-error.js";
import { readUserFile, readUserFileHead, writeUserFile } from "../../src/util/safe-file.js";
import { filetime, writeEvtx } from "../helpers/evtx-writer.js";
import { copyImage } from "../helpers/image-copy.js";
import { FIXTURES, REPO_ROOT } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const POSIX = process.platform !== "win32";
const skip = POSIX ? false : "FIFOs, /dev and symlink loops are POSIX";
const haveMkfifo = POSIX && spawnSync("mkfifo", ["--version"]).error === undefined;
const MiB = 1024 * 1024;

let dir: string;
let server: Server | undefined;
const p = (name: string) => path.join(dir, name);
const PE = path.join(FIXTURES, "pe", "tiny-x64.dll");

/** Runs bin/koff-doctor.cjs in a child process; `timedOut` is true when the safety net killed it. */
function runChild(args: string[]): {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
} {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "koff-doctor.cjs"), ...args], {
    encoding: "utf8",
    timeout: 60_000,
    killSignal: "SIGKILL",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: r.signal !== null };
}

/** The common assertions: exit code, the error code on stderr, a one-line message, no stack trace. */
function assertRefused(r: { code: number | null; stderr: string }, exit: number, code: string, what: string) {
  assert.equal(r.code, exit, `${what}: exit code (stderr: ${r.stderr})`);
  assert.match(r.stderr, new RegExp(`: ${code}: `), `${what}: ${code} on stderr`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, `${what}: no stack trace`);
}

describe("inputs that are not files", { skip }, () => {
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "koff-special-"));
    mkdirSync(p("folder"));
    if (haveMkfifo) spawnSync("mkfifo", [p("pipe.dll")]);
    symlinkSync("loop-b.dll", p("loop-a.dll"));
    symlinkSync("loop-a.dll", p("loop-b.dll"));
    symlinkSync("self.dll", p("self.dll"));
    symlinkSync("nowhere.dll", p("dangling.dll"));
    // Sparse files over each cap: no data blocks are written.
    writeFileSync(p("big.dll"), "");
    truncateSync(p("big.dll"), READ_LIMITS.peFileBytes + 1);
    writeFileSync(p("big-hive"), "");
    truncateSync(p("big-hive"), READ_LIMITS.hiveFileBytes + 1);
    writeFileSync(p("big.zip"), "");
    truncateSync(p("big.zip"), READ_LIMITS.bundleFileBytes + 1);
    writeFileSync(p("big.pem"), "");
    truncateSync(p("big.pem"), READ_LIMITS.trustFileBytes + 1);
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(p("sock.dll"), resolve));
  });
  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("triage PATH: each special path gets its own code on stderr and exit 3", async () => {
    const cases: Array<[string, string]> = [
      [p("folder"), "is-a-directory"],
      ["/dev/zero", "not-a-file"],
      ["/dev/urandom", "not-a-file"],
      ["/dev/null", "not-a-file"],
      [p("loop-a.dll"), "symlink-loop"],
      [p("self.dll"), "symlink-loop"],
      [p("dangling.dll"), "dangling-symlink"],
      [p("sock.dll"), "not-a-file"],
      [p("big.dll"), "too-large"],
      [p("missing.dll"), "not-found"],
    ];
    for (const [input, code] of cases) {
      const r = await runCli(["triage", "--json", input]);
      assertRefused(r, 3, code, input);
      const doc = JSON.parse(r.stdout) as { files: Array<{ path: string; error?: { code: string } }> };
      assert.equal(doc.files[0]?.error?.code, code, `${input}: the record carries the code`);
    }
  });

  it(
    "triage FIFO: refused at once, nothing blocks (child process)",
    { skip: !haveMkfifo && "no mkfifo" },
    () => {
      const r = runChild(["triage", p("pipe.dll")]);
      assert.equal(r.timedOut, false, "the process ended by itself: nothing blocked on the FIFO");
      assertRefused(r, 3, "not-a-file", "FIFO");
      assert.match(r.stderr, /FIFO/);
    },
  );

  it("--trust: devices, FIFO, folder, loop and an over-cap file are usage errors (64)", async () => {
    const cases: Array<[string, string]> = [
      ["/dev/zero", "not-a-file"],
      ["/dev/urandom", "not-a-file"],
      [p("folder"), "is-a-directory"],
      [p("self.dll"), "symlink-loop"],
      [p("big.pem"), "too-large"],
    ];
    for (const [input, code] of cases) {
      for (const verb of [
        ["triage", PE],
        ["check", "--image", p("folder")],
      ]) {
        const r = await runCli([verb[0]!, "--trust", input, ...verb.slice(1)]);
        assertRefused(r, 64, code, `${verb[0]} --trust ${input}`);
        assert.match(r.stderr, /--trust /);
      }
    }
    if (haveMkfifo) {
      const r = runChild(["triage", "--trust", p("pipe.dll"), PE]);
      assert.equal(r.timedOut, false, "--trust FIFO did not block");
      assertRefused(r, 64, "not-a-file", "--trust FIFO");
    }
  });

  it("registry export HIVE: devices, FIFO, folder, loop, over-cap hive exit 3", async () => {
    const cases: Array<[string, string]> = [
      ["/dev/zero", "not-a-file"],
      ["/dev/urandom", "not-a-file"],
      [p("folder"), "is-a-directory"],
      [p("loop-b.dll"), "symlink-loop"],
      [p("dangling.dll"), "dangling-symlink"],
      [p("big-hive"), "too-large"],
    ];
    for (const [input, code] of cases) {
      const r = await runCli(["registry", "export", input]);
      assertRefused(r, 3, code, `registry export ${input}`);
      assert.equal(r.stdout, "");
    }
    if (haveMkfifo) {
      const r = runChild(["registry", "export", p("pipe.dll")]);
      assert.equal(r.timedOut, false, "registry export FIFO did not block");
      assertRefused(r, 3, "not-a-file", "registry export FIFO");
    }
  });

  it("--bundle: devices, FIFO, folder, loop, over-cap zip exit 3 with nothing on stdout", async () => {
    const cases: Array<[string, string]> = [
      ["/dev/zero", "not-a-file"],
      ["/dev/urandom", "not-a-file"],
      ["/dev/null", "not-a-file"],
      [p("folder"), "is-a-directory"],
      [p("self.dll"), "symlink-loop"],
      [p("big.zip"), "too-large"],
    ];
    for (const [input, code] of cases) {
      for (const verb of ["check", "triage"]) {
        const r = await runCli([verb, "--bundle", input]);
        assertRefused(r, 3, code, `${verb} --bundle ${input}`);
        assert.equal(r.stdout, "");
      }
    }
    if (haveMkfifo) {
      const r = runChild(["check", "--bundle", p("pipe.dll")]);
      assert.equal(r.timedOut, false, "--bundle FIFO did not block");
      assertRefused(r, 3, "not-a-file", "--bundle FIFO");
    }
  });

  it("--image must be a directory: a file, device, loop or FIFO is a usage error (64)", async () => {
    const cases: Array<[string, string]> = [
      [PE, "not-a-directory"],
      ["/dev/zero", "not-a-file"],
      [p("loop-a.dll"), "symlink-loop"],
      ...(haveMkfifo ? ([[p("pipe.dll"), "not-a-file"]] as Array<[string, string]>) : []),
    ];
    for (const [input, code] of cases) {
      const r = await runCli(["check", "--image", input]);
      assertRefused(r, 64, code, `--image ${input}`);
    }
  });

  it("--html and collect --out: a FIFO, device or folder is refused before any work, without blocking", async () => {
    const cases: Array<[string, string]> = [
      ["/dev/null", "not-a-file"],
      [p("folder"), "is-a-directory"],
      [p("self.dll"), "symlink-loop"],
    ];
    for (const [target, code] of cases) {
      const r = await runCli(["triage", "--html", target, PE]);
      assertRefused(r, 64, code, `--html ${target}`);
      assert.equal(r.stdout, "", "refused before triaging");
    }
    if (haveMkfifo) {
      const r = runChild(["triage", "--html", p("pipe.dll"), PE]);
      assert.equal(r.timedOut, false, "--html FIFO did not block");
      assertRefused(r, 64, "not-a-file", "--html FIFO");
      const c = runChild([
        "collect",
        "--image",
        path.join(REPO_ROOT, "examples", "healthy"),
        "--out",
        p("pipe.dll"),
      ]);
      assert.equal(c.timedOut, false, "collect --out FIFO did not block");
      assertRefused(c, 3, "not-a-file", "collect --out FIFO");
    }
  });

  it(
    "check --image: a FIFO planted as the provider DLL and as a hive is never opened",
    {
      skip: !haveMkfifo && "no mkfifo",
    },
    () => {
      const { root, image } = copyImage("healthy");
      try {
        const dll = path.join(
          image,
          "Program Files (x86)",
          "Kerio",
          "Outlook Connector (Offline Edition)",
          "kofmsp32.dll",
        );
        rmSync(dll);
        spawnSync("mkfifo", [dll]);
        const hive = path.join(image, "Users", "alice", "NTUSER.DAT");
        rmSync(hive);
        spawnSync("mkfifo", [hive]);
        const r = runChild(["check", "--json", "--image", image, "--at", "2026-11-21T00:00:00Z"]);
        assert.equal(r.timedOut, false, "nothing blocked on the FIFOs");
        assert.ok([0, 1, 2].includes(r.code ?? -1), `a report, exit ${r.code}: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
        assert.equal((JSON.parse(r.stdout) as { schemaVersion: number }).schemaVersion, 2);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  );

  it(
    "repair --image: a FIFO planted as the SOFTWARE hive is refused (not-a-file), never opened (child process)",
    { skip: !haveMkfifo && "no mkfifo" },
    () => {
      const { root, image, state } = copyImage("healthy");
      try {
        const hive = path.join(image, "Windows", "System32", "config", "SOFTWARE");
        rmSync(hive);
        spawnSync("mkfifo", [hive]);
        const plan = runChild(["repair", "--image", image, "--state", state]);
        assert.equal(plan.timedOut, false, "the plan did not block on the FIFO");
        assert.equal(plan.code, 0, plan.stderr);
        assert.match(plan.stdout, /refused: .*SOFTWARE: not-a-file: /);
        const apply = runChild([
          "repair",
          "--image",
          image,
          "--state",
          state,
          "--step",
          "av-exclusions",
          "--apply",
        ]);
        assert.equal(apply.timedOut, false, "--apply did not block on the FIFO");
        assertRefused(apply, 4, "not-a-file", "repair --apply");
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  );

  it("repair --state: a file, FIFO, device or symlink loop is a usage error (64), never an internal error", async () => {
    const { root, image } = copyImage("healthy");
    try {
      writeFileSync(p("state-file"), "");
      const cases: Array<[string, string]> = [
        [p("state-file"), "not-a-directory"],
        ["/dev/null", "not-a-file"],
        [p("loop-a.dll"), "symlink-loop"],
        ...(haveMkfifo ? ([[p("pipe.dll"), "not-a-file"]] as Array<[string, string]>) : []),
      ];
      for (const [state, code] of cases) {
        for (const extra of [[], ["--step", "av-exclusions", "--apply"]]) {
          const r = await runCli(["repair", "--image", image, "--state", state, ...extra]);
          assertRefused(r, 64, code, `repair --state ${state} ${extra.join(" ")}`);
        }
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it(
    "triage -r: a 2000-deep tree is walked to its file (was O(depth³) realpath work: over a minute)",
    { timeout: 60_000 },
    async () => {
      const tree = p("deep");
      const bottom = path.join(tree, ...Array.from({ length: 2000 }, () => "d"));
      mkdirSync(bottom, { recursive: true });
      copyFileSync(PE, path.join(bottom, "x.dll"));
      try {
        const r = await runCli(["triage", "--json", "-r", tree]);
        assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
        const doc = JSON.parse(r.stdout) as { files: Array<{ path: string; verdict: string }> };
        assert.equal(doc.files.length, 1);
        assert.equal(path.basename(doc.files[0]!.path), "x.dll");
        assert.notEqual(doc.files[0]!.verdict, "error", "the file at the bottom is triaged");
      } finally {
        // Bottom up: a recursive rmSync of a 2000-deep tree overflows Node's stack.
        rmSync(path.join(bottom, "x.dll"));
        for (let d = bottom; d !== path.dirname(tree); d = path.dirname(d)) rmdirSync(d);
      }
    },
  );

  it(
    "repair --status and undo: a FIFO planted as a run's journal is refused, never blocks (child process)",
    { skip: !haveMkfifo && "no mkfifo" },
    () => {
      const { root, image, state } = copyImage("healthy");
      try {
        const run = path.join(state, "runs", "20261206T044934Z-clear-cache-045a");
        mkdirSync(run, { recursive: true });
        spawnSync("mkfifo", [path.join(run, "journal.jsonl")]);
        for (const args of [["repair", "--status"], ["undo"]]) {
          const r = runChild([...args, "--image", image, "--state", state]);
          assert.equal(r.timedOut, false, `${args.join(" ")}: nothing blocked on the FIFO`);
          assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, args.join(" "));
        }
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  );

  it("events FILE: a FIFO, device, folder and symlink loop get their own code and exit 3, nothing blocks (child process)", () => {
    const cases: Array<[string, string]> = [
      ...(haveMkfifo ? ([[p("pipe.dll"), "not-a-file"]] as Array<[string, string]>) : []),
      ["/dev/zero", "not-a-file"],
      [p("folder"), "is-a-directory"],
      [p("loop-a.dll"), "symlink-loop"],
      [p("dangling.dll"), "dangling-symlink"],
    ];
    for (const [input, code] of cases) {
      const r = runChild(["events", "--jsonl", input]);
      assert.equal(r.timedOut, false, `${input}: the process ended by itself`);
      assertRefused(r, 3, code, `events ${input}`);
      assert.equal(r.stdout, "", `${input}: nothing on stdout`);
    }
  });

  it("triage -r: a FIFO, a symlink loop and a device link inside the tree are skipped with reasons", () => {
    const tree = p("tree");
    mkdirSync(path.join(tree, "sub"), { recursive: true });
    copyFileSync(PE, path.join(tree, "sub", "good.dll"));
    if (haveMkfifo) spawnSync("mkfifo", [path.join(tree, "pipe.dll")]);
    symlinkSync("loop.dll", path.join(tree, "loop.dll"));
    symlinkSync("/dev/zero", path.join(tree, "zero.dll"));
    symlinkSync("..", path.join(tree, "sub", "up")); // a link to a folder: not followed
    const r = runChild(["triage", "--json", "-r", tree]);
    assert.equal(r.timedOut, false, "the walk did not block");
    assert.equal(r.code, 3, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    const doc = JSON.parse(r.stdout) as {
      files: Array<{ path: string; verdict: string; error?: { code: string } }>;
    };
    const byName = new Map(doc.files.map((f) => [path.basename(f.path), f]));
    assert.equal(byName.get("loop.dll")?.error?.code, "symlink-loop");
    assert.equal(byName.get("zero.dll")?.error?.code, "not-a-file");
    if (haveMkfifo) assert.equal(byName.get("pipe.dll")?.error?.code, "not-a-file");
    assert.notEqual(byName.get("good.dll")?.verdict, "error", "the regular file is triaged");
    assert.equal(doc.files.length, haveMkfifo ? 4 : 3, "the folder link is not followed");
    for (const name of ["loop.dll", "zero.dll", ...(haveMkfifo ? ["pipe.dll"] : [])])
      assert.match(
        r.stderr,
        new RegExp(`${name}: (symlink-loop|not-a-file): `),
        `${name} reported on stderr`,
      );
  });
});

describe("hostile names and empty or unreadable files, as a user runs the CLI", { skip }, () => {
  let names: string;
  // ESC sequences that would retitle the terminal (OSC 0), colour it (SGR) and clear it, a BEL,
  // a right-to-left override and a newline that would forge a report line.
  const EVIL = "evil\u001b]0;pwned\u0007\u001b[31mRED\u001b[2J\u202egpj.dll\nFORGED.dll";
  before(() => {
    names = mkdtempSync(path.join(tmpdir(), "koff-names-"));
    copyFileSync(PE, path.join(names, EVIL));
  });
  after(() => rmSync(names, { recursive: true, force: true }));

  /** No raw control, bidirectional control or forged line in `text`; the name shown escaped. */
  function assertNoRawEscapes(text: string, what: string) {
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, what);
    assert.ok(!text.split("\n").some((l) => l.startsWith("FORGED.dll")), `${what}: no forged line`);
    assert.match(text, /evil\\u001b\]0;pwned\\u0007/, `${what}: the name is shown escaped`);
  }

  it("triage FILE and triage -r DIR: a name with ESC sequences, BEL, RLO and a newline is printed escaped", async () => {
    const one = await runCli(["triage", path.join(names, EVIL)]);
    assert.equal(one.code, 1, one.stderr);
    assertNoRawEscapes(one.stdout, "triage FILE");
    const tree = await runCli(["triage", "-r", names]);
    assertNoRawEscapes(tree.stdout, "triage -r");
    // JSON keeps the real name (JSON escapes it), so scripts get the file's own name.
    const json = JSON.parse((await runCli(["triage", "--json", path.join(names, EVIL)])).stdout) as {
      files: Array<{ path: string }>;
    };
    assert.equal(path.basename(json.files[0]!.path), EVIL);
  });

  it("error lines on stderr escape the name too (a missing file and a loop with hostile names)", async () => {
    const missing = path.join(names, "gone\u001b]52;c;aGk=\u0007\n.dll");
    const r = await runCli(["triage", missing]);
    assertRefused(r, 3, "not-found", "hostile missing name");
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stderr + r.stdout, /[\u0007\u001b]/);
    assert.match(r.stderr, /gone\\u001b\]52;c;aGk=\\u0007\\u000a\.dll: not-found: /);
  });

  it("events: data strings of a hostile log reach the terminal escaped (text mode)", async () => {
    const log = path.join(names, "hostile.evtx");
    writeFileSync(
      log,
      writeEvtx([
        {
          provider: "Application Error",
          eventId: 1000,
          level: 2,
          channel: "Application",
          computer: "PC",
          timeCreated: filetime("2026-11-30T08:00:00Z"),
          data: [["AppName", "OUTLOOK.EXE\u001b]0;owned\u0007\u009b2J"]],
        },
      ]).bytes,
    );
    const r = await runCli(["events", log]);
    assert.equal(r.code, 0, r.stderr);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stdout, /[\u0007\u001b\u009b]/);
    assert.match(r.stdout, /OUTLOOK\.EXE\\u001b\]0;owned\\u0007\\u009b2J/);
    const jsonl = await runCli(["events", "--jsonl", log]);
    assert.equal(
      (JSON.parse(jsonl.stdout) as { data: Record<string, string> }).data["AppName"],
      "OUTLOOK.EXE\u001b]0;owned\u0007\u009b2J",
    );
  });

  it("check text: names from a hostile image (profile, user, install folder, timeline) cannot forge or colour lines", async () => {
    const report = await checkMachine(createImageSnapshot(path.join(REPO_ROOT, "examples", "healthy")), {
      at: new Date("2026-11-21T00:00:00Z"),
    });
    const evil = "x\u001b]0;pwned\u0007\nFORGED line\u202e";
    assert.ok(report.facts.profiles.length > 0 && report.facts.install.folders.length > 0);
    report.facts.profiles[0]!.name = evil;
    report.facts.profiles[0]!.user = evil;
    report.facts.install.folders[0] = evil;
    if (report.findings[0]) report.findings[0].message = evil;
    const text = renderCheckText(report, pc.createColors(false), "posix");
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(text, /[\u0007\u001b\u202e]/);
    assert.ok(!text.split("\n").some((l) => l.startsWith("FORGED")), text);
    assert.match(text, /x\\u001b\]0;pwned\\u0007\\u000aFORGED line\\u202e/);
  });

  it("a name that is not UTF-8: triage -r gives the file a typed not-found saying why, exit 3, no crash", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "koff-bytes-"));
    try {
      const raw = Buffer.concat([Buffer.from(dir + "/bad"), Buffer.from([0xff, 0xfe]), Buffer.from(".dll")]);
      writeFileSync(raw, readFileSync(PE));
      const r = await runCli(["triage", "--json", "-r", dir]);
      assert.equal(r.code, 3, r.stderr);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
      const doc = JSON.parse(r.stdout) as {
        files: Array<{ path: string; error?: { code: string; message: string } }>;
      };
      assert.equal(doc.files.length, 1);
      assert.equal(doc.files[0]!.error?.code, "not-found");
      assert.match(doc.files[0]!.error!.message, /not UTF-8/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("0-byte files: triage, --bundle, events, registry export and --trust each give their typed code and exit", async () => {
    const empty = (name: string) => {
      writeFileSync(path.join(names, name), "");
      return path.join(names, name);
    };
    const triage = await runCli(["triage", "--json", empty("empty.dll")]);
    assert.equal(triage.code, 3, triage.stderr);
    assert.equal(
      (JSON.parse(triage.stdout) as { files: Array<{ verdict: string }> }).files[0]?.verdict,
      "error",
    );
    const bundle = await runCli(["check", "--bundle", empty("empty.zip")]);
    assert.equal(bundle.code, 3, bundle.stderr);
    assert.match(bundle.stderr, /bundle refused \(not-a-zip\)/);
    assert.doesNotMatch(bundle.stderr, /internal error|\n\s+at /);
    assertRefused(await runCli(["events", empty("empty.evtx")]), 3, "not-evtx", "events 0 bytes");
    assertRefused(
      await runCli(["registry", "export", empty("empty.hiv")]),
      3,
      "truncated",
      "registry export 0 bytes",
    );
    assertRefused(
      await runCli(["triage", "--trust", empty("empty.pem"), PE]),
      64,
      "bad-trust-file",
      "--trust 0 bytes",
    );
  });

  it("a file without read permission: permission-denied, exit 3 (as root, run as nobody: chmod 000 does not stop root)", (t) => {
    const file = path.join(names, "noread.dll");
    copyFileSync(PE, file);
    chmodSync(file, 0);
    chmodSync(names, 0o755);
    const root = process.getuid?.() === 0;
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "koff-doctor.cjs"), "triage", file], {
      encoding: "utf8",
      timeout: 60_000,
      ...(root ? { uid: 65534, gid: 65534 } : {}),
    });
    if (root && r.error !== undefined) return t.skip(`cannot run as nobody here: ${r.error.message}`);
    if (
      root &&
      /EACCES|Cannot find module|permission denied, open '.*dist/.test(r.stderr) &&
      !r.stderr.includes("noread.dll")
    )
      return t.skip("the repository is not readable by nobody here");
    assertRefused({ code: r.status, stderr: r.stderr }, 3, "permission-denied", "chmod 000");
  });
});

describe("readUserFile", { skip }, () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), "koff-read-"));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("refuses a file over the cap by its size without reading a byte", async () => {
    const big = path.join(tmp, "sparse");
    writeFileSync(big, "");
    truncateSync(big, 64 * 1024 * MiB); // 64 GiB, sparse
    await assert.rejects(
      readUserFile(big, { maxBytes: READ_LIMITS.peFileBytes }),
      (e: unknown) =>
        e instanceof InputFileError &&
        e.code === "too-large" &&
        e.bytesRead === 0 &&
        e.actual === 64 * 1024 * MiB,
    );
  });

  it(
    "never trusts the reported size: a /proc file (size 0) longer than the cap stops at cap + 1 bytes",
    {
      skip: !existsSync("/proc/self/maps") && "no /proc",
    },
    async () => {
      await assert.rejects(
        readUserFile("/proc/self/maps", { maxBytes: 16 }),
        (e: unknown) => e instanceof InputFileError && e.code === "too-large" && e.bytesRead === 17,
      );
      const whole = await readUserFile("/proc/self/status", { maxBytes: MiB });
      assert.match(Buffer.from(whole).toString("latin1"), /^Name:/, "size-0 files are read to their end");
    },
  );

  it("reads exact contents and heads", async () => {
    const f = path.join(tmp, "f.bin");
    const data = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i & 0xff));
    writeFileSync(f, data);
    assert.deepEqual(Buffer.from(await readUserFile(f, { maxBytes: data.length })), data);
    await assert.rejects(readUserFile(f, { maxBytes: data.length - 1 }), { code: "too-large" });
    assert.deepEqual(Buffer.from(await readUserFileHead(f, 10)), data.subarray(0, 10));
    await assert.rejects(readUserFileHead("/dev/null", 10), { code: "not-a-file" });
  });

  it("writeUserFile replaces a regular file and refuses a device without truncating it", async () => {
    const f = path.join(tmp, "report.html");
    writeFileSync(f, "x".repeat(1000));
    await writeUserFile(f, "short");
    assert.equal(Buffer.from(await readUserFile(f, { maxBytes: 100 })).toString(), "short");
    await assert.rejects(writeUserFile("/dev/null", "x"), { code: "not-a-file" });
  });
});
