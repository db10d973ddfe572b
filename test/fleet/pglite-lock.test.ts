/**
 * A PGlite store (the default `--db`) has one writer at a time: PGlite has no lock of its own,
 * and two processes ingesting into one folder lost the first one's runs with no error. These
 * tests try the ways around the lock file (src/fleet/db.ts): a second process while the first
 * holds the store, a lock left by a process that is gone, a lock file that is a link, and the
 * lock given back on close.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, describe, it } from "node:test";
import { FleetDbError, openFleetDb, PGLITE_LOCK_FILE } from "../../src/fleet/db.js";
import { REPO_ROOT } from "../helpers/repo.js";

const scratch: string[] = [];
const folder = () => {
  const d = mkdtempSync(path.join(tmpdir(), "koff-pglite-lock-"));
  scratch.push(d);
  return path.join(d, "db");
};
after(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

const refusedInUse = (e: unknown) =>
  e instanceof FleetDbError && e.code === "db-unavailable" && /in use/.test(e.message);

describe("PGlite store: one process at a time", () => {
  it("a second process is refused while the first holds the store, and gets it once the first closes", async () => {
    const dir = folder();
    const db = await openFleetDb(`pglite:${dir}`);
    try {
      const lock = path.join(dir, PGLITE_LOCK_FILE);
      assert.ok(existsSync(lock));
      const dbModule = pathToFileURL(path.join(REPO_ROOT, "dist", "src", "fleet", "db.js")).href;
      const child = spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { openFleetDb } from ${JSON.stringify(dbModule)};
           openFleetDb(${JSON.stringify(`pglite:${dir}`)}).then(
             async (d) => { await d.close(); console.log("opened"); },
             (e) => console.log(e.code + ": " + e.message));`,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString()));
      await new Promise((resolve) => child.on("close", resolve));
      assert.match(out, /^db-unavailable: the PGlite store .* is in use by process \d+/);
    } finally {
      await db.close();
    }
    assert.ok(!existsSync(path.join(dir, PGLITE_LOCK_FILE)), "the lock is given back on close");
    const again = await openFleetDb(`pglite:${dir}`);
    await again.close();
  });

  it("a lock left by a process that is gone is taken over", async () => {
    const dir = folder();
    mkdirSync(dir, { recursive: true });
    const gone = spawnSync(process.execPath, ["-p", "process.pid"], { encoding: "utf8" });
    writeFileSync(path.join(dir, PGLITE_LOCK_FILE), `${Number(gone.stdout)}\n`);
    const db = await openFleetDb(`pglite:${dir}`);
    await db.close();
  });

  it("a path that cannot be a folder (a file, a FIFO, under a file, in /proc) is refused, never hangs", async () => {
    const base = path.dirname(folder());
    const file = path.join(base, "a-file");
    writeFileSync(file, "x");
    const fifo = path.join(base, "a-fifo");
    spawnSync("mkfifo", [fifo]);
    const unusable = (e: unknown) =>
      e instanceof FleetDbError && e.code === "db-unavailable" && /cannot be used/.test(e.message);
    for (const dir of [file, path.join(file, "sub"), ...(existsSync(fifo) ? [fifo] : [])])
      await assert.rejects(openFleetDb(`pglite:${dir}`), unusable, dir);
    if (process.platform === "linux") {
      // Node's recursive mkdirSync loops without end here: run it in a child, with a timeout.
      const r = spawnSync(
        process.execPath,
        [
          path.join(REPO_ROOT, "bin", "koff-doctor.cjs"),
          "fleet",
          "summary",
          "--db",
          "pglite:/proc/koff-no-such/db",
        ],
        { encoding: "utf8", timeout: 60_000 },
      );
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, /db-unavailable: the PGlite store \/proc\/koff-no-such\/db cannot be used/);
    }
    // A path of folders that do not exist yet is made.
    const deep = path.join(base, "x", "y", "db");
    await (await openFleetDb(`pglite:${deep}`)).close();
    assert.ok(existsSync(path.join(deep, "PG_VERSION")));
  });

  it("a lock file that is a link, or holds no process id, is never followed nor taken over", async () => {
    const dir = folder();
    mkdirSync(dir, { recursive: true });
    const elsewhere = path.join(path.dirname(dir), "elsewhere");
    writeFileSync(elsewhere, "1\n");
    symlinkSync(elsewhere, path.join(dir, PGLITE_LOCK_FILE));
    await assert.rejects(openFleetDb(`pglite:${dir}`), refusedInUse);
    rmSync(path.join(dir, PGLITE_LOCK_FILE));
    writeFileSync(path.join(dir, PGLITE_LOCK_FILE), "not a pid\n");
    await assert.rejects(openFleetDb(`pglite:${dir}`), refusedInUse);
  });
});
