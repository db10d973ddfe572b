/**
 * Repair and undo never touch anything outside their target (issue "Trust under attack" §3).
 *
 * Each case builds a scratch tree — the image (a copy of examples/corrupt-cache), the state
 * folder, and an `outside` folder with sentinel files, an empty folder and a copy of the cache —
 * runs `repair --step clear-cache --apply` (whole, or killed after the move), plants one attack
 * (a journal edited by someone who recomputes its checksums, a symbolic link planted in the
 * image, a damaged journal), then runs the real CLI and checks the exit code, the typed error
 * code, and that no byte, file, folder or link outside the image and the state folder changed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { applyStep, type RepairEnvironment } from "../../src/runbook/index.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { copyImage, hashTree } from "../helpers/image-copy.js";
import { killedRun } from "../helpers/killed-run.js";
import { seededUint32 } from "../helpers/prng.js";
import { runCli } from "../helpers/run-cli.js";

const AT = "2026-11-21T00:00:00Z";
const CACHE = path.join("Users", "alice", "AppData", "Local", "Kerio", "Outlook Connector", "Kerio");
const scratch: string[] = [];
after(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Arena {
  root: string;
  image: string;
  state: string;
  outside: string;
  /** The image before the repair. */
  before: Map<string, string>;
  runId: string;
  journal: string;
  quarantine: string;
}

/**
 * A scratch tree with a clear-cache run: complete, or killed after `killAfter` journal records
 * (3 = run header, begin 0, done 0: the cache is in quarantine, its empty folder not yet made).
 */
async function arena(killAfter?: number): Promise<Arena> {
  const { root, image, state } = copyImage("corrupt-cache");
  scratch.push(root);
  const outside = path.join(root, "outside");
  mkdirSync(path.join(outside, "empty"), { recursive: true });
  writeFileSync(path.join(outside, "sentinel.txt"), "outside the image: must never change\n");
  cpSync(path.join(image, path.dirname(CACHE)), path.join(outside, "connector-copy"), { recursive: true });
  const before = hashTree(image);
  if (killAfter === undefined) {
    const env: RepairEnvironment = {
      snapshot: createImageSnapshot(image),
      imageRoot: image,
      stateDir: state,
      at: new Date(AT),
    };
    await applyStep(env, { step: "clear-cache" });
  } else {
    assert.equal(await killedRun(image, state, "clear-cache", killAfter), "SIGKILL");
  }
  const runId = readdirSync(path.join(state, "runs"))[0]!;
  return {
    root,
    image,
    state,
    outside,
    before,
    runId,
    journal: path.join(state, "runs", runId, "journal.jsonl"),
    quarantine: path.join(image, "ProgramData", "koff-doctor", "quarantine", runId),
  };
}

/** Every entry under `root` except the image and the state folder: type, and content hash or link target. */
function outsideSnapshot(a: Arena): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (p === a.image || p === a.state) continue;
      const info = lstatSync(p);
      const rel = path.relative(a.root, p);
      if (info.isSymbolicLink()) out.set(rel, `link ${readlinkSync(p)}`);
      else if (info.isDirectory()) {
        out.set(rel, "dir");
        walk(p);
      } else out.set(rel, `file ${createHash("sha256").update(readFileSync(p)).digest("hex")}`);
    }
  };
  walk(a.root);
  return out;
}

/** The journal's records, each without its checksum. */
function readRecords(journal: string): Array<Record<string, unknown>> {
  return readFileSync(journal, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      delete r["sum"];
      return r;
    });
}

/** Writes records back with valid checksums: an attacker who read journal.ts. */
function writeSealed(journal: string, records: Array<Record<string, unknown>>): void {
  const line = (r: Record<string, unknown>) => {
    const body = JSON.stringify(r);
    return `${body.slice(0, -1)},"sum":"${createHash("sha256").update(body).digest("hex")}"}\n`;
  };
  writeFileSync(journal, records.map(line).join(""));
}

type Header = Record<string, unknown> & { operations: Array<Record<string, unknown>>; createdDirs: string[] };
/** The header of a record list, as loose JSON (for edits that break its types). */
const looseHeader = (r: Array<Record<string, unknown>>) => r[0]!["header"] as Record<string, unknown>;

function editHeader(a: Arena, edit: (h: Header) => void): void {
  const records = readRecords(a.journal);
  edit(records[0]!["header"] as Header);
  writeSealed(a.journal, records);
}

const cli = (a: Arena, ...args: string[]) => runCli([...args, "--image", a.image, "--state", a.state]);
const undo = (a: Arena) => cli(a, "undo", a.runId, "--json");
const resume = (a: Arena) => cli(a, "repair", "--step", "clear-cache", "--apply", "--at", AT, "--json");
const errorCode = (stdout: string) => (JSON.parse(stdout) as { refused?: { code?: string } }).refused?.code;

interface Attack {
  name: string;
  /** Undefined: a complete run; a number: killed after that many journal records. */
  killAfter?: number;
  plant(a: Arena): void;
  /** What `undo RUN` answers: exit code and error code. */
  undo: [number, string];
  /** What resuming the run with `repair --apply` answers, when the run is unfinished. */
  resume?: [number, string];
}

const ATTACKS: Attack[] = [
  {
    name: "header quarantine edited to a folder outside",
    killAfter: 3,
    plant: (a) => editHeader(a, (h) => void (h["quarantine"] = path.join(a.outside, "empty"))),
    undo: [3, "journal-corrupt"],
    resume: [3, "journal-corrupt"],
  },
  {
    name: "createdDirs names an existing empty folder outside",
    plant: (a) => editHeader(a, (h) => h.createdDirs.push(path.join(a.outside, "empty"))),
    undo: [3, "journal-corrupt"],
  },
  {
    name: "createdDirs names the image root itself",
    plant: (a) => editHeader(a, (h) => h.createdDirs.push(a.image)),
    undo: [3, "journal-corrupt"],
  },
  {
    name: "createdDirs climbs out with .. segments",
    plant: (a) => editHeader(a, (h) => h.createdDirs.push(`${a.quarantine}/../../../../../outside/empty`)),
    undo: [3, "journal-corrupt"],
  },
  {
    name: "a move's source is a file outside",
    killAfter: 1,
    plant: (a) =>
      editHeader(a, (h) => void (h.operations[0]!["from"] = path.join(a.outside, "sentinel.txt"))),
    undo: [3, "journal-corrupt"],
    resume: [3, "journal-corrupt"],
  },
  {
    name: "a move's source is the image root itself",
    killAfter: 1,
    plant: (a) => editHeader(a, (h) => void (h.operations[0]!["from"] = a.image)),
    undo: [3, "journal-corrupt"],
    resume: [3, "journal-corrupt"],
  },
  {
    name: "a move's source is the state folder itself",
    killAfter: 1,
    plant: (a) => editHeader(a, (h) => void (h.operations[0]!["from"] = a.state)),
    undo: [3, "journal-corrupt"],
    resume: [3, "journal-corrupt"],
  },
  {
    name: "a move's source holds the quarantine root",
    killAfter: 1,
    plant: (a) => editHeader(a, (h) => void (h.operations[0]!["from"] = path.join(a.image, "ProgramData"))),
    undo: [3, "journal-corrupt"],
    resume: [3, "journal-corrupt"],
  },
  {
    name: "a move's quarantine copy climbs out with .. segments",
    killAfter: 3,
    plant: (a) =>
      editHeader(
        a,
        (h) =>
          void (h.operations[0]!["to"] = `${a.quarantine}/files/../../../../../../outside/connector-copy`),
      ),
    undo: [3, "journal-corrupt"],
    resume: [3, "journal-corrupt"],
  },
  {
    name: "a move's source is a Windows-style path",
    killAfter: 1,
    plant: (a) =>
      editHeader(a, (h) => void (h.operations[0]!["from"] = "C:\\Users\\alice\\AppData\\Local\\Kerio")),
    undo: [3, "journal-corrupt"],
    resume: [3, "journal-corrupt"],
  },
  {
    name: "a move's source is an absolute path on another root",
    killAfter: 1,
    plant: (a) => editHeader(a, (h) => void (h.operations[0]!["from"] = "/etc/hostname")),
    undo: [3, "journal-corrupt"],
    resume: [3, "journal-corrupt"],
  },
  {
    name: "a mkdir recreates a folder no move of the run took away",
    plant: (a) =>
      editHeader(a, (h) => void (h.operations[1]!["path"] = path.join(a.image, "Users", "alice", "AppData"))),
    undo: [3, "journal-corrupt"],
  },
  {
    name: "a hive edit whose backup lies outside",
    killAfter: 1,
    plant: (a) =>
      editHeader(a, (h) =>
        h.operations.unshift({
          kind: "hive-edit",
          what: "planted",
          key: "HKU\\alice\\Software",
          hive: path.join(a.image, "Users", "alice", "NTUSER.DAT"),
          backup: path.join(a.outside, "sentinel.txt"),
          reg: "",
          prefix: "HKEY_CURRENT_USER",
          beforeSha256: "0".repeat(64),
        }),
      ),
    undo: [3, "journal-corrupt"],
    resume: [3, "journal-corrupt"],
  },
  {
    name: "a live-mode registry export in an image run",
    killAfter: 1,
    plant: (a) =>
      editHeader(a, (h) =>
        h.operations.push({
          kind: "reg-delete-key",
          what: "planted",
          key: "HKLM\\SOFTWARE\\x",
          exportFile: path.join(a.outside, "sentinel.txt"),
        }),
      ),
    undo: [3, "journal-corrupt"],
    resume: [3, "journal-corrupt"],
  },
  {
    name: "the run's quarantine folder replaced by a link to a copy outside",
    plant: (a) => {
      renameSync(a.quarantine, path.join(a.outside, "stolen-quarantine"));
      symlinkSync(path.join(a.outside, "stolen-quarantine"), a.quarantine);
    },
    undo: [4, "refused-symlink"],
  },
  {
    name: "ProgramData replaced by a link to a copy outside",
    killAfter: 3,
    plant: (a) => {
      renameSync(path.join(a.image, "ProgramData"), path.join(a.outside, "ProgramData"));
      symlinkSync(path.join(a.outside, "ProgramData"), path.join(a.image, "ProgramData"));
    },
    undo: [4, "refused-symlink"],
    resume: [4, "refused-symlink"],
  },
  {
    name: "the cache's parent replaced by a link outside before undo",
    plant: (a) => {
      const parent = path.join(a.image, path.dirname(CACHE));
      rmSync(parent, { recursive: true });
      symlinkSync(path.join(a.outside, "connector-copy"), parent);
    },
    undo: [4, "refused-symlink"],
  },
  {
    name: "the cache's parent replaced by a link outside between the move and the mkdir",
    killAfter: 3,
    plant: (a) => {
      const parent = path.join(a.image, path.dirname(CACHE));
      rmSync(parent, { recursive: true });
      symlinkSync(path.join(a.outside, "empty"), parent);
    },
    undo: [4, "refused-symlink"],
    resume: [4, "refused-symlink"],
  },
  {
    name: "the cache's parent replaced by a dangling link",
    plant: (a) => {
      const parent = path.join(a.image, path.dirname(CACHE));
      rmSync(parent, { recursive: true });
      symlinkSync(path.join(a.outside, "not-there"), parent);
    },
    undo: [4, "refused-symlink"],
  },
  {
    name: "the cache's parent replaced by a link into another run's quarantine",
    killAfter: 1,
    plant: (a) => {
      const other = path.join(path.dirname(a.quarantine), "20260101T000000Z-clear-cache-abcd");
      mkdirSync(path.join(other, "Kerio"), { recursive: true });
      writeFileSync(path.join(other, "Kerio", "quarantined.txt"), "another run's quarantined data\n");
      const parent = path.join(a.image, path.dirname(CACHE));
      rmSync(parent, { recursive: true });
      symlinkSync(other, parent);
    },
    undo: [4, "refused-symlink"],
    resume: [4, "refused-symlink"],
  },
  {
    name: "the journal replaced by a link to a file outside",
    plant: (a) => {
      cpSync(a.journal, path.join(a.outside, "journal-copy.jsonl"));
      rmSync(a.journal);
      symlinkSync(path.join(a.outside, "journal-copy.jsonl"), a.journal);
    },
    undo: [3, "journal-corrupt"],
  },
];

describe("journal containment: repair and undo never touch anything outside their target", () => {
  for (const attack of ATTACKS) {
    it(attack.name, async () => {
      const a = await arena(attack.killAfter);
      attack.plant(a);
      const outsideBefore = outsideSnapshot(a);
      const imageBefore = hashTree(a.image);
      const u = await undo(a);
      assert.deepEqual([u.code, errorCode(u.stdout)], attack.undo, `undo: ${u.stdout}${u.stderr}`);
      if (attack.resume) {
        const r = await resume(a);
        assert.deepEqual([r.code, errorCode(r.stdout)], attack.resume, `resume: ${r.stdout}${r.stderr}`);
      }
      assert.deepEqual(
        outsideSnapshot(a),
        outsideBefore,
        "nothing outside the image and the state folder changed",
      );
      assert.deepEqual(hashTree(a.image), imageBefore, "a refusal changes nothing in the image either");
    });
  }

  it("a fresh run whose quarantine root is a link outside is refused before anything is written", async () => {
    const { root, image, state } = copyImage("corrupt-cache");
    scratch.push(root);
    const outside = path.join(root, "outside");
    mkdirSync(path.join(outside, "koff-doctor"), { recursive: true });
    mkdirSync(path.join(image, "ProgramData"));
    symlinkSync(path.join(outside, "koff-doctor"), path.join(image, "ProgramData", "koff-doctor"));
    const a = { root, image, state } as Arena;
    const outsideBefore = outsideSnapshot(a);
    const imageBefore = hashTree(image);
    const r = await runCli([
      "repair",
      "--step",
      "clear-cache",
      "--apply",
      "--image",
      image,
      "--state",
      state,
      "--json",
    ]);
    assert.deepEqual([r.code, errorCode(r.stdout)], [4, "refused-symlink"], r.stdout + r.stderr);
    assert.deepEqual(outsideSnapshot(a), outsideBefore);
    assert.deepEqual(hashTree(image), imageBefore);
    assert.equal(existsSync(path.join(state, "runs")) && readdirSync(path.join(state, "runs")).length, 0);
  });

  it("undo twice: the second has nothing to do and exits 4; so does undo with no run at all", async () => {
    const a = await arena();
    const first = await cli(a, "undo");
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(hashTree(a.image), a.before, "the first undo is byte-exact");
    for (const args of [["undo"], ["undo", a.runId]]) {
      const again = await cli(a, ...args, "--json");
      assert.deepEqual([again.code, errorCode(again.stdout)], [4, "refused-precondition"], again.stdout);
      assert.match(again.stdout, /nothing to do/);
    }
    const empty = copyImage("healthy");
    scratch.push(empty.root);
    const none = await runCli(["undo", "--image", empty.image, "--state", empty.state]);
    assert.equal(none.code, 4, none.stderr);
    assert.match(none.stderr, /nothing to do/);
    const unknown = await cli(a, "undo", "20260101T000000Z-clear-cache-0000");
    assert.equal(unknown.code, 64, "an unknown run id is a usage error");
  });
});

/** What `repair --status --json` says of a damaged run, and what `undo RUN` answers. */
async function assertDamaged(a: Arena, why: string, manifest: unknown): Promise<void> {
  const status = await cli(a, "repair", "--status", "--json");
  assert.equal(status.code, 0, why);
  const listed = JSON.parse(status.stdout) as {
    runs: unknown[];
    damaged: Array<{ runId: string; quarantine: string; quarantineExists: boolean; manifest?: unknown }>;
  };
  assert.equal(listed.runs.length, 0, `${why}: the run is not listed as readable`);
  assert.equal(listed.damaged.length, 1, `${why}: the run is listed as damaged`);
  const d = listed.damaged[0]!;
  assert.equal(d.runId, a.runId, why);
  assert.equal(d.quarantine, a.quarantine, why);
  assert.equal(d.quarantineExists, true, why);
  assert.deepEqual(d.manifest, manifest, `${why}: the manifest reads`);
  const text = await cli(a, "repair", "--status");
  assert.ok(text.stdout.includes(a.quarantine) && text.stdout.includes("damaged"), `${why}: ${text.stdout}`);
  const u = await cli(a, "undo", a.runId);
  assert.equal(u.code, 3, `${why}: ${u.stderr}`);
  assert.match(u.stderr, /journal-corrupt/, why);
  assert.ok(u.stderr.includes(a.quarantine), `${why}: undo names the quarantined data: ${u.stderr}`);
  const latest = await cli(a, "undo", "--json");
  assert.deepEqual(
    [latest.code, errorCode(latest.stdout)],
    [3, "journal-corrupt"],
    `${why}: undo of the latest`,
  );
  const again = await cli(a, "repair", "--step", "clear-cache", "--apply", "--at", AT, "--json");
  assert.deepEqual(
    [again.code, errorCode(again.stdout)],
    [3, "journal-corrupt"],
    `${why}: a new run of the step waits`,
  );
}

describe("damaged journals: listed with what can still be read, never acted on", () => {
  /** A complete run, its journal's bytes and manifest, and the outside snapshot before the damage. */
  async function damaged() {
    const a = await arena();
    const bytes = readFileSync(a.journal);
    const manifest = JSON.parse(
      readFileSync(path.join(a.state, "runs", a.runId, "manifest.json"), "utf8"),
    ) as unknown;
    return { a, bytes, manifest, outsideBefore: outsideSnapshot(a), imageBefore: hashTree(a.image) };
  }

  it("a damaged run whose manifest was edited to name a place outside: listed with a warning, not trusted", async () => {
    const { a } = await damaged();
    writeFileSync(a.journal, readFileSync(a.journal).subarray(0, 10)); // the header torn
    const file = path.join(a.state, "runs", a.runId, "manifest.json");
    const manifest = JSON.parse(readFileSync(file, "utf8")) as Array<Record<string, unknown>>;
    manifest[0]!["from"] = path.join(a.outside, "empty");
    writeFileSync(file, JSON.stringify(manifest));
    const status = await cli(a, "repair", "--status", "--json");
    assert.equal(status.code, 0);
    const d = (JSON.parse(status.stdout) as { damaged: Array<{ manifestProblem?: string }> }).damaged[0]!;
    assert.match(d.manifestProblem ?? "", /not to be trusted \(journal-corrupt\)/);
    const text = await cli(a, "repair", "--status");
    assert.match(text.stdout, /warning: the manifest is not to be trusted/);
    const u = await cli(a, "undo", a.runId);
    assert.equal(u.code, 3);
    assert.match(u.stderr, /not to be trusted/);
  });

  it(
    "a damaged run whose manifest is a FIFO: listed as unreadable, never blocking",
    { skip: process.platform === "win32" && "no FIFOs", timeout: 120_000 },
    async () => {
      const { a } = await damaged();
      writeFileSync(a.journal, readFileSync(a.journal).subarray(0, 10)); // the header torn
      const file = path.join(a.state, "runs", a.runId, "manifest.json");
      rmSync(file);
      execFileSync("mkfifo", [file]);
      const status = await cli(a, "repair", "--status", "--json");
      assert.equal(status.code, 0, status.stderr);
      const d = (JSON.parse(status.stdout) as { damaged: Array<{ manifestProblem?: string }> }).damaged[0]!;
      assert.match(d.manifestProblem ?? "", /a FIFO \(named pipe\), not a regular file; not read/);
    },
  );

  it(
    "a FIFO planted as the run lock: repair is refused as concurrent, never blocking",
    { skip: process.platform === "win32" && "no FIFOs", timeout: 120_000 },
    async () => {
      const a = await arena();
      execFileSync("mkfifo", [path.join(a.state, "lock")]);
      const r = await cli(a, "repair", "--step", "clear-cache", "--apply", "--at", AT, "--json");
      assert.deepEqual([r.code, errorCode(r.stdout)], [4, "refused-concurrent"], r.stderr);
    },
  );

  it("bit-flipped at seeded offsets: damaged, undo exits 3 naming the quarantine, nothing changes", async () => {
    const next = seededUint32(0x10_0003);
    for (let k = 0; k < 6; k++) {
      const { a, bytes, manifest, outsideBefore, imageBefore } = await damaged();
      const offset = next() % (bytes.length - 1); // not the final newline: that only tears the last record
      const bit = 1 << (next() % 8);
      const flipped = Buffer.from(bytes);
      flipped[offset] = flipped[offset]! ^ bit;
      writeFileSync(a.journal, flipped);
      await assertDamaged(a, `bit ${bit} flipped at byte ${offset} of ${bytes.length}`, manifest);
      assert.deepEqual(outsideSnapshot(a), outsideBefore);
      assert.deepEqual(hashTree(a.image), imageBefore);
    }
  });

  it("truncated at seeded offsets: inside the header it is damaged; later it is a torn tail that undo completes", async () => {
    const next = seededUint32(0x10_0004);
    // Where to cut, given the journal's length and where its header line ends.
    const cuts: Array<(length: number, headerEnd: number) => number> = [
      () => 0,
      () => 1,
      (_, h) => h >> 1,
      (_, h) => h, // the whole header but its newline
      (n, h) => h + 1 + (next() % (n - h - 2)),
      (n) => next() % n,
      (n) => next() % n,
    ];
    for (const cut of cuts) {
      const { a, bytes, manifest, outsideBefore, imageBefore } = await damaged();
      const headerEnd = bytes.indexOf(0x0a);
      const offset = cut(bytes.length, headerEnd);
      writeFileSync(a.journal, bytes.subarray(0, offset));
      const why = `truncated to ${offset} of ${bytes.length} bytes`;
      if (offset <= headerEnd) {
        await assertDamaged(a, why, manifest);
        assert.deepEqual(hashTree(a.image), imageBefore, why);
      } else {
        // A cut after the header is what a crash leaves: the run reads as interrupted, undo reverts it.
        const u = await cli(a, "undo", a.runId);
        assert.equal(u.code, 0, `${why}: ${u.stderr}`);
        assert.deepEqual(hashTree(a.image), a.before, `${why}: undo is byte-exact`);
      }
      assert.deepEqual(outsideSnapshot(a), outsideBefore, why);
    }
  });

  const WRONG_TYPES: Array<[string, (r: Array<Record<string, unknown>>) => void]> = [
    ["operations is a string", (r) => void (looseHeader(r)["operations"] = "x")],
    ["createdDirs is a number", (r) => void (looseHeader(r)["createdDirs"] = 5)],
    ["a move's source is a number", (r) => void ((r[0]!["header"] as Header).operations[0]!["from"] = 42)],
    [
      "a manifest size is a string",
      (r) => {
        const op = (r[0]!["header"] as Header).operations[0] as { manifest: Array<Record<string, unknown>> };
        op.manifest[0]!["size"] = "big";
      },
    ],
    ["the header is null", (r) => void (r[0]!["header"] = null)],
    ["the step is unknown", (r) => void ((r[0]!["header"] as Header)["step"] = "format-disk")],
    ["a begin names operation 99", (r) => void (r[1]!["op"] = 99)],
    ['a done names operation "0"', (r) => void (r[2]!["op"] = "0")],
    ["a second run header", (r) => void r.splice(2, 0, r[0]!)],
    [
      "the run id differs from its folder",
      (r) => {
        const h = r[0]!["header"] as Header;
        h["runId"] = String(h["runId"]).replace(/-[0-9a-f]{4}$/, "-ffff");
      },
    ],
  ];
  for (const [name, edit] of WRONG_TYPES) {
    it(`edited with valid checksums, ${name}: damaged, undo exits 3, nothing changes`, async () => {
      const { a, manifest, outsideBefore, imageBefore } = await damaged();
      const records = readRecords(a.journal);
      edit(records);
      writeSealed(a.journal, records);
      await assertDamaged(a, name, manifest);
      assert.deepEqual(outsideSnapshot(a), outsideBefore);
      assert.deepEqual(hashTree(a.image), imageBefore);
    });
  }
});
