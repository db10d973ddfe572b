/**
 * `collect` never waits on a FIFO where a log file was: one planted in the image is not listed,
 * and one that takes a log's place after the log was listed (the source still says "a file of
 * 4096 bytes") is refused when opened (O_NONBLOCK, then fstat) and skipped. A reader stuck on the
 * FIFO would wait for a writer forever; the hang guard below opens the FIFO's write end after a
 * generous delay, which unblocks such a reader (it then reads an empty tail), and fails the test.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, constants, openSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { collectBundle, type CollectedBundle } from "../../src/bundle/index.js";
import type { DirEntry, FileSystemPort } from "../../src/ports/file-system.js";
import type { Snapshot } from "../../src/ports/snapshot.js";
import { copyImage } from "../helpers/image-copy.js";

const AT = new Date("2026-11-21T00:00:00Z");
const POSIX = process.platform !== "win32";
const haveMkfifo = POSIX && spawnSync("mkfifo", ["--version"]).error === undefined;
const skip = !POSIX ? "FIFOs are POSIX" : !haveMkfifo ? "mkfifo is not installed" : false;
/** Hang guard only: far longer than a collect of the sample image takes; never a timing goal. */
const HANG_GUARD_MS = 90_000;
const INSTALL = ["Program Files (x86)", "Kerio", "Outlook Connector (Offline Edition)"];
const INSTALL_WIN = `C:\\${INSTALL.join("\\")}`;

/** Opens the FIFO's write end without blocking (ENXIO when nobody reads it) and closes it: a blocked reader sees end of file. */
function releaseReaders(fifo: string): boolean {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    return true;
  } catch {
    return false;
  }
}

/** Collects from `source`; rejects (after unblocking any reader of `fifo`) when collect has not finished in {@link HANG_GUARD_MS}. */
async function collectGuarded(source: Snapshot, fifo: string): Promise<CollectedBundle> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const released = releaseReaders(fifo);
      reject(
        new Error(
          `collect had not finished after ${HANG_GUARD_MS} ms` +
            (released ? ": a reader was blocked on the FIFO (now released)" : ""),
        ),
      );
    }, HANG_GUARD_MS);
  });
  try {
    return await Promise.race([collectBundle(source, { at: AT, createdAt: AT }), guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** The Windows paths `logs/index.json` lists. */
function carriedLogs(collected: CollectedBundle): string[] {
  const index = collected.members.find((m) => m.name === "logs/index.json");
  assert.ok(index, "logs/index.json is written");
  const doc = JSON.parse(new TextDecoder().decode(index.data)) as { logs: Array<{ path: string }> };
  return doc.logs.map((l) => l.path);
}

/**
 * The image's file system as it looked before `sync.log` became a FIFO: listed and stat'ed as a
 * regular 4096-byte file, its host path the FIFO's. Counts the host-path look-ups of `sync.log`.
 */
function swappedAfterListing(image: FileSystemPort, fifo: string): FileSystemPort & { asked: number } {
  const isSync = (p: string) => p.toLowerCase() === `${INSTALL_WIN}\\sync.log`.toLowerCase();
  const asFile = { kind: "file" as const, size: 4096 };
  const port = {
    asked: 0,
    describe: () => image.describe(),
    stat: async (p: string) => (isSync(p) ? asFile : image.stat(p)),
    list: async (p: string): Promise<DirEntry[] | undefined> => {
      const entries = await image.list(p);
      if (entries === undefined || p.toLowerCase() !== INSTALL_WIN.toLowerCase()) return entries;
      return [...entries.filter((e) => e.name !== "sync.log"), { name: "sync.log", ...asFile }];
    },
    readFile: (p: string, maxBytes?: number) => image.readFile(p, maxBytes),
    readHead: (p: string, length: number) => image.readHead(p, length),
    hostPath: async (p: string) => {
      if (!isSync(p)) return image.hostPath?.(p);
      port.asked++;
      return fifo;
    },
  };
  return port;
}

describe("collect and a FIFO where a log file was", { skip }, () => {
  let root: string;
  let image: string;
  let fifo: string;
  before(() => {
    ({ root, image } = copyImage("healthy"));
    const install = path.join(image, ...INSTALL);
    writeFileSync(path.join(install, "koff.log"), "backend started\r\n");
    fifo = path.join(install, "sync.log");
    const made = spawnSync("mkfifo", [fifo]);
    assert.equal(made.status, 0, `mkfifo failed: ${String(made.stderr)}`);
  });
  after(() => {
    releaseReaders(fifo);
    rmSync(root, { recursive: true, force: true });
  });

  it("a FIFO planted as a log file in the image is not carried; the regular log next to it is", async () => {
    const collected = await collectGuarded(createImageSnapshot(image), fifo);
    const logs = carriedLogs(collected);
    assert.ok(logs.includes(`${INSTALL_WIN}\\koff.log`), `the regular log is carried: ${logs.join(", ")}`);
    assert.ok(!logs.some((p) => /sync\.log$/i.test(p)), `the FIFO is not carried: ${logs.join(", ")}`);
  });

  it("a log swapped for a FIFO after it was listed is skipped when opened, never waited on", async () => {
    const source = createImageSnapshot(image);
    const fs = swappedAfterListing(source.fs, fifo);
    const collected = await collectGuarded({ ...source, fs }, fifo);
    assert.ok(
      fs.asked > 0,
      "collect asked for the swapped log's host path (the in-place tail read was tried)",
    );
    const logs = carriedLogs(collected);
    assert.ok(logs.includes(`${INSTALL_WIN}\\koff.log`), `the regular log is carried: ${logs.join(", ")}`);
    assert.ok(!logs.some((p) => /sync\.log$/i.test(p)), `the FIFO is not carried: ${logs.join(", ")}`);
    assert.ok(
      !collected.members.some((m) => /sync\.log$/i.test(m.name)),
      "no member holds the FIFO's (empty) tail",
    );
  });
});
