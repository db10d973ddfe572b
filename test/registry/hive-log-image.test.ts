/**
 * Log replay through an image (`--image DIR`): the image hive port finds `.LOG1`/`.LOG2` beside a
 * dirty NTUSER.DAT (fixtures/hives/dirty/, built by fixtures/hives/build.sh) and reads the
 * replayed hive; it refuses a log that is a FIFO, a folder, a link out of the image or over its
 * cap, and then reads the hive as it is on disk; it never writes the hive or its logs; `check`
 * says how the hive was recovered and keeps its user in damagedUserHives; repairs refuse to edit
 * a hive that is dirty on disk.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs, {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { HiveRegistryPort } from "../../src/adapters/image/hive-registry-port.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { checkMachine } from "../../src/app/check-machine.js";
import { READ_LIMITS } from "../../src/limits.js";
import { applyStep, planStep, RunbookError } from "../../src/runbook/index.js";
import { copyImage, hashTree } from "../helpers/image-copy.js";
import { runCli } from "../helpers/run-cli.js";
import { hiveFixtureDir } from "./helpers.js";
import { hiveBinsDataSizeOf, newFormatLog, withSequences } from "./hive-log-builder.js";

const DIRTY = path.join(hiveFixtureDir, "dirty");
const PROFILE = "HKU\\alice\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Outlook";
const haveMkfifo = process.platform !== "win32" && spawnSync("mkfifo", ["--version"]).error === undefined;
const AT = new Date("2026-11-21T00:00:00Z");

const scratch: string[] = [];
after(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A minimal image whose alice has the dirty fixture hive and the logs named in `logs`. */
function imageWith(logs: Array<"LOG1" | "LOG2">): { root: string; user: string } {
  const root = mkdtempSync(path.join(tmpdir(), "koff-dirty-"));
  scratch.push(root);
  const user = path.join(root, "Users", "alice");
  mkdirSync(user, { recursive: true });
  mkdirSync(path.join(root, "Windows"), { recursive: true });
  copyFileSync(path.join(DIRTY, "NTUSER.DAT"), path.join(user, "NTUSER.DAT"));
  for (const l of logs) copyFileSync(path.join(DIRTY, `NTUSER.DAT.${l}`), path.join(user, `NTUSER.DAT.${l}`));
  return { root, user };
}

describe("image hives: replaying the logs beside a dirty NTUSER.DAT", () => {
  it("a KOFF profile only in NTUSER.DAT.LOG1 is read; health says how; nothing is written", async () => {
    const { root, user } = imageWith(["LOG1", "LOG2"]);
    const files = ["NTUSER.DAT", "NTUSER.DAT.LOG1", "NTUSER.DAT.LOG2"].map((f) => path.join(user, f));
    const before = files.map((f) => ({ bytes: readFileSync(f), mtime: statSync(f).mtimeMs }));
    const reg = new HiveRegistryPort(root);
    const key = await reg.getKey(PROFILE);
    assert.ok(key, "the profile written only to the log is visible");
    assert.equal(key.subkeys.length, 5);
    const [h] = await reg.health();
    assert.equal(h!.dirty, true, "the file on disk is still dirty");
    assert.equal(h!.recovery?.recovered, true);
    assert.equal(h!.recovery?.summary, "recovered from NTUSER.DAT.LOG1 (4 entries)");
    assert.equal(h!.recovery?.logs[1]!.problem?.code, "stale-log", "the older .LOG2 is skipped");
    files.forEach((f, i) => {
      assert.deepEqual(readFileSync(f), before[i]!.bytes, `${f} is byte-identical`);
      assert.equal(statSync(f).mtimeMs, before[i]!.mtime, `${f} was not rewritten`);
    });
  });

  it("reads the same keys as the hive Windows would have flushed (fixtures/hives/dirty/recovered.hiv)", async () => {
    const { root, user } = imageWith(["LOG1"]);
    const clean = mkdtempSync(path.join(tmpdir(), "koff-clean-"));
    scratch.push(clean);
    mkdirSync(path.join(clean, "Users", "alice"), { recursive: true });
    copyFileSync(path.join(DIRTY, "recovered.hiv"), path.join(clean, "Users", "alice", "NTUSER.DAT"));
    const [a, b] = [new HiveRegistryPort(root), new HiveRegistryPort(clean)];
    const plain = async (reg: HiveRegistryPort, p: string) =>
      JSON.stringify(await reg.getKey(p), (_k, v: unknown) =>
        v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v,
      );
    for (const p of [
      PROFILE,
      `${PROFILE}\\a1b2c3d4e5f60718293a4b5c6d7e8f90`,
      "HKU\\alice\\Software\\Microsoft\\Office\\16.0\\Outlook",
    ]) {
      assert.equal(await plain(a, p), await plain(b, p), p);
    }
    assert.ok(user);
  });

  it("without logs the hive is read as it is on disk, and health says why it was not recovered", async () => {
    const { root } = imageWith([]);
    const reg = new HiveRegistryPort(root);
    assert.equal(await reg.getKey(PROFILE), undefined);
    assert.ok(await reg.getKey("HKU\\alice\\Software\\Microsoft\\Office\\16.0\\Outlook"));
    const [h] = await reg.health();
    assert.equal(h!.dirty, true);
    assert.equal(h!.recovery?.recovered, false);
    assert.deepEqual(
      h!.recovery?.logs.map((l) => l.problem?.code),
      ["not-found", "not-found"],
    );
  });

  for (const kind of ["fifo", "directory", "symlink out of the image", "huge"] as const) {
    it(
      `a .LOG1 that is a ${kind} is refused with its code and the hive stays unrecovered`,
      { skip: kind === "fifo" && !haveMkfifo ? "mkfifo is not available" : false },
      async () => {
        const { root, user } = imageWith(["LOG2"]);
        const log1 = path.join(user, "NTUSER.DAT.LOG1");
        let options = {};
        let code: string;
        if (kind === "fifo") {
          execFileSync("mkfifo", [log1]);
          code = "not-a-file";
        } else if (kind === "directory") {
          mkdirSync(log1);
          code = "is-a-directory";
        } else if (kind === "huge") {
          copyFileSync(path.join(DIRTY, "NTUSER.DAT.LOG1"), log1);
          options = { maxLogBytes: 4096 };
          code = "too-large";
        } else {
          const outside = mkdtempSync(path.join(tmpdir(), "koff-outside-"));
          scratch.push(outside);
          copyFileSync(path.join(DIRTY, "NTUSER.DAT.LOG1"), path.join(outside, "x.LOG1"));
          symlinkSync(path.join(outside, "x.LOG1"), log1);
          code = "outside-root";
        }
        const reg = new HiveRegistryPort(root, options);
        assert.equal(await reg.getKey(PROFILE), undefined, "nothing of the refused log is read");
        const [h] = await reg.health();
        assert.equal(h!.recovery?.recovered, false);
        assert.equal(h!.recovery?.logs[0]!.problem?.code, code);
        assert.equal(h!.dirty, true);
      },
    );
  }

  it("a .LOG1 linked to a file inside the image is followed", async () => {
    const { root, user } = imageWith([]);
    mkdirSync(path.join(root, "Windows", "Temp"), { recursive: true });
    copyFileSync(path.join(DIRTY, "NTUSER.DAT.LOG1"), path.join(root, "Windows", "Temp", "l"));
    symlinkSync(path.join(root, "Windows", "Temp", "l"), path.join(user, "ntuser.dat.log1"));
    const reg = new HiveRegistryPort(root);
    assert.ok(await reg.getKey(PROFILE));
    assert.equal((await reg.health())[0]!.recovery?.summary, "recovered from ntuser.dat.log1 (4 entries)");
  });
});

describe("image hives: a log is read through the descriptor that was checked", () => {
  /**
   * Runs `body` while `realpath` (node:fs/promises, as the adapter imports it) swaps the file it
   * resolves for a link to `outside` the first time it resolves a path ending in `suffix`
   * (upper-case): the swap a hostile image could race in between resolving a file and reading it.
   */
  async function withSwapAfterResolve<T>(
    outside: string,
    body: () => Promise<T>,
    suffix = ".LOG1",
  ): Promise<T> {
    const original = fs.promises.realpath;
    let swapped = false;
    const hooked = async (p: fs.PathLike, options?: unknown): Promise<string> => {
      const real = String(await original(p, options as BufferEncoding));
      if (!swapped && String(p).toUpperCase().endsWith(suffix)) {
        swapped = true;
        rmSync(real);
        symlinkSync(outside, real);
      }
      return real;
    };
    fs.promises.realpath = hooked as typeof fs.promises.realpath;
    syncBuiltinESMExports();
    try {
      return await body();
    } finally {
      fs.promises.realpath = original;
      syncBuiltinESMExports();
    }
  }

  for (const shape of ["a regular file", "a link to a file inside the image"] as const) {
    it(`a .LOG1 (${shape}) swapped for a link out of the image after it was resolved is not read`, async () => {
      const { root, user } = imageWith(["LOG2"]);
      // In the image, a stale log (a copy of .LOG2, which replays nothing); outside, the log that
      // would replay the profile: seeing the profile means a file outside the image was read.
      const stale = readFileSync(path.join(user, "NTUSER.DAT.LOG2"));
      const log1 = path.join(user, "NTUSER.DAT.LOG1");
      if (shape === "a regular file") writeFileSync(log1, stale);
      else {
        writeFileSync(path.join(root, "Windows", "l"), stale);
        symlinkSync(path.join(root, "Windows", "l"), log1);
      }
      const outside = mkdtempSync(path.join(tmpdir(), "koff-outside-"));
      scratch.push(outside);
      copyFileSync(path.join(DIRTY, "NTUSER.DAT.LOG1"), path.join(outside, "x.LOG1"));
      const reg = new HiveRegistryPort(root);
      const key = await withSwapAfterResolve(path.join(outside, "x.LOG1"), () => reg.getKey(PROFILE));
      assert.equal(key, undefined, "nothing of the log outside the image is replayed");
      const [h] = await reg.health();
      assert.equal(h!.recovery?.recovered, false);
    });
  }

  it("the hive itself swapped for a link out of the image after it was resolved is refused, not read", async () => {
    const { root } = imageWith([]);
    const outside = mkdtempSync(path.join(tmpdir(), "koff-outside-"));
    scratch.push(outside);
    // Outside, the hive Windows would have flushed: it holds the profile the image's hive lacks.
    copyFileSync(path.join(DIRTY, "recovered.hiv"), path.join(outside, "NTUSER.DAT"));
    const reg = new HiveRegistryPort(root);
    const key = await withSwapAfterResolve(
      path.join(outside, "NTUSER.DAT"),
      () => reg.getKey(PROFILE),
      "NTUSER.DAT",
    );
    assert.equal(key, undefined, "nothing of the hive outside the image is read");
    const [h] = await reg.health();
    assert.deepEqual(
      h!.anomalies.map((a) => a.code),
      ["outside-root"],
    );
  });

  it("check --image names each refused log (FIFO, folder, link out, sparse over the cap) and returns", async () => {
    const cases: Array<[string, (log1: string, log2: string) => void, RegExp]> = [
      [
        "FIFO .LOG1, folder .LOG2",
        (log1, log2) => {
          if (haveMkfifo) execFileSync("mkfifo", [log1]);
          mkdirSync(log2);
        },
        haveMkfifo
          ? /NTUSER\.DAT\.LOG1: a FIFO \(named pipe\), not a regular file; not read; NTUSER\.DAT\.LOG2: a directory/
          : /NTUSER\.DAT\.LOG2: a directory/,
      ],
      [
        "link out",
        (log1) => {
          const outside = mkdtempSync(path.join(tmpdir(), "koff-outside-"));
          scratch.push(outside);
          copyFileSync(path.join(DIRTY, "NTUSER.DAT.LOG1"), path.join(outside, "x.LOG1"));
          symlinkSync(path.join(outside, "x.LOG1"), log1);
        },
        /NTUSER\.DAT\.LOG1: a symbolic link leading out of the image; not read/,
      ],
      [
        "sparse over the cap",
        (log1) => {
          writeFileSync(log1, "");
          truncateSync(log1, READ_LIMITS.hiveLogBytes + 1);
        },
        new RegExp(`NTUSER\\.DAT\\.LOG1: [^;]*${READ_LIMITS.hiveLogBytes}`),
      ],
    ];
    for (const [name, plant, expected] of cases) {
      const { root, user } = imageWith([]);
      plant(path.join(user, "NTUSER.DAT.LOG1"), path.join(user, "NTUSER.DAT.LOG2"));
      const out = await runCli(["check", "--image", root, "--json"]);
      assert.equal(out.stderr, "", name);
      const report = JSON.parse(out.stdout) as { facts: { unknown: Record<string, string> } };
      const note = report.facts.unknown["hive:HKU\\alice"];
      assert.match(note ?? "", /^dirty hive .*not recovered: /, name);
      assert.match(note ?? "", expected, name);
    }
  });
});

describe("check and repair over a replayed hive", () => {
  /** A copy of sample image `scenario` whose alice hive is dirty, with a LOG1 that replays it to itself. */
  function dirtyCopy(scenario: string) {
    const c = copyImage(scenario);
    scratch.push(c.root);
    const file = path.join(c.image, "Users", "alice", "NTUSER.DAT");
    const hive = new Uint8Array(readFileSync(file));
    const s = new DataView(hive.buffer).getUint32(8, true);
    const page = { hiveOffset: 0, bytes: hive.slice(4096, 8192) };
    writeFileSync(file, withSequences(hive, s + 1, s));
    writeFileSync(
      `${file}.LOG1`,
      newFormatLog(hive, s + 1, [
        { sequence: s + 1, hiveBinsDataSize: hiveBinsDataSizeOf(hive), pages: [page] },
      ]),
    );
    return c;
  }

  it("check names the recovery in unknown, reads the profile, and keeps alice in damagedUserHives", async () => {
    const { image } = dirtyCopy("orphan-cache");
    const report = await checkMachine(createImageSnapshot(image), { at: AT });
    assert.equal(
      report.facts.unknown["hive:HKU\\alice"],
      "dirty hive recovered from NTUSER.DAT.LOG1 (1 entry); read with its logs replayed, and left alone by repairs (the file on disk is older)",
    );
    assert.ok(report.facts.damagedUserHives.includes("alice"), "a replayed hive is still not safe to write");
    assert.ok(
      report.facts.profiles.some((p) => p.user === "alice"),
      "its profiles are read",
    );
  });

  it("repair refuses to edit the hive (recreate-profile) and changes nothing", async () => {
    const { image, state } = dirtyCopy("orphan-cache");
    const before = hashTree(image);
    const env = { snapshot: createImageSnapshot(image), imageRoot: image, stateDir: state, at: AT };
    const planned = await planStep(env, { step: "recreate-profile" });
    assert.equal(planned.refusal?.code, "refused-precondition");
    assert.match(planned.refusal!.message, /NTUSER\.DAT is dirty on disk/);
    await assert.rejects(
      applyStep(env, { step: "recreate-profile" }),
      (e: unknown) => e instanceof RunbookError && e.code === "refused-precondition",
    );
    assert.deepEqual(hashTree(image), before);
  });
});
