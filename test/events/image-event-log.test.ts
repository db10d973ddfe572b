/**
 * The image event-log port (src/adapters/image/image-event-log.ts): it reads the relevant records
 * of an image's `.evtx` files, refuses a FIFO, a folder or a link (never hangs, never leaves the
 * image), reads damaged logs as far as they are sound, keeps only the newest `max` selected
 * records, and streams a huge log (time grows linearly with its size).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { ImageEventLog } from "../../src/adapters/image/image-event-log.js";
import { ImageFileSystem } from "../../src/adapters/image/image-file-system.js";
import { readEvtx } from "../../src/evtx/index.js";
import type { EventQuery } from "../../src/ports/system.js";
import { InputFileError } from "../../src/util/input-file-error.js";
import { largeApplicationLog } from "../helpers/evtx-fixtures.js";
import { assertLinear } from "../helpers/linearity.js";
import { FIXTURES } from "../helpers/repo.js";

const LOGS = path.join("Windows", "System32", "winevt", "Logs");
const scratch: string[] = [];
after(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A bare image whose Logs folder holds `files` (name → fixture path or bytes). */
function imageWith(files: Record<string, string | Uint8Array>): { root: string; logs: string } {
  const root = mkdtempSync(path.join(tmpdir(), "koff-evtx-image-"));
  scratch.push(root);
  const logs = path.join(root, LOGS);
  mkdirSync(logs, { recursive: true });
  for (const [name, from] of Object.entries(files)) {
    if (typeof from === "string") copyFileSync(from, path.join(logs, name));
    else writeFileSync(path.join(logs, name), from);
  }
  return { root, logs };
}

const port = (root: string) => new ImageEventLog(new ImageFileSystem(root));
/** Every record with an id below 65536: what the file holds, to compare with the core reader. */
const EVERY: EventQuery = { ids: Array.from({ length: 65536 }, (_, i) => i), max: 1_000_000 };

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return assert.fail("expected a rejection");
}

describe("image event-log port", () => {
  it("finds a log by its channel name, case-insensitively, with / written as %4", async () => {
    const { root } = imageWith({
      "APPLICATION.evtx": path.join(FIXTURES, "evtx", "application.evtx"),
      "Microsoft-Windows-Windows Defender%4Operational.evtx": path.join(FIXTURES, "evtx", "defender.evtx"),
    });
    const crashes = await port(root).query("Application", { ids: [1000], max: 10 });
    assert.deepEqual(
      crashes.map((r) => r.data["ModuleName"]),
      ["fbclient.dll", "fbembed.dll", "kofmsp32.dll"],
      "newest first, data as named fields",
    );
    const defender = await port(root).query("Microsoft-Windows-Windows Defender/Operational", {
      ids: [1116, 1117],
      max: 10,
    });
    assert.deepEqual(
      defender.map((r) => r.id),
      [1117, 1116],
    );
    assert.equal(defender[0]!.userId, "S-1-5-18");
  });

  it("keeps only the newest max selected records, and none before since", async () => {
    const { root } = imageWith({ "Application.evtx": path.join(FIXTURES, "evtx", "application.evtx") });
    const all = await port(root).query("Application", EVERY);
    assert.ok(all.length > 2000);
    const newest = await port(root).query("Application", { ...EVERY, max: 7 });
    assert.deepEqual(newest, all.slice(0, 7));
    const since = new Date(Date.parse(all[100]!.time));
    const recent = await port(root).query("Application", { ...EVERY, since });
    assert.ok(recent.length >= 101 && recent.length < all.length);
    assert.ok(recent.every((r) => Date.parse(r.time) >= since.getTime()));
  });

  for (const name of ["damaged.evtx", "truncated.evtx"]) {
    it(`reads ${name} as far as it is sound: the records the core reader reads`, async () => {
      const file = path.join(FIXTURES, "evtx", name);
      const { root } = imageWith({ "Application.evtx": file });
      const records = await port(root).query("Application", EVERY);
      const expected = readEvtx(readFileSync(file)).records.length;
      assert.ok(expected > 0);
      assert.equal(records.length, expected);
    });
  }

  it("says the image has no event logs, the same words for every log, when the folder is absent", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "koff-evtx-none-"));
    scratch.push(root);
    mkdirSync(path.join(root, "Windows"));
    const a = (await rejection(port(root).query("Application", EVERY))) as Error;
    const b = (await rejection(
      port(root).query("Microsoft-Windows-Windows Defender/Operational", EVERY),
    )) as Error;
    assert.match(a.message, /no event logs/);
    assert.equal(a.message, b.message);
  });

  it("a missing log is not-found", async () => {
    const { root } = imageWith({});
    const e = await rejection(port(root).query("Application", EVERY));
    assert.ok(e instanceof InputFileError && e.code === "not-found", String(e));
  });

  it("refuses a FIFO without opening it (never hangs)", async (t) => {
    const { root, logs } = imageWith({});
    try {
      execFileSync("mkfifo", [path.join(logs, "Application.evtx")]);
    } catch {
      return t.skip("mkfifo is not available");
    }
    const e = await rejection(port(root).query("Application", EVERY));
    assert.ok(e instanceof InputFileError && e.code === "not-a-file" && e.kind === "fifo", String(e));
  });

  it("refuses a folder", async () => {
    const { root, logs } = imageWith({});
    mkdirSync(path.join(logs, "Application.evtx"));
    const e = await rejection(port(root).query("Application", EVERY));
    assert.ok(e instanceof InputFileError && e.code === "not-a-file" && e.kind === "directory", String(e));
  });

  it("refuses a link leading out of the image, and does not follow one inside it", async () => {
    const outside = mkdtempSync(path.join(tmpdir(), "koff-evtx-outside-"));
    scratch.push(outside);
    copyFileSync(path.join(FIXTURES, "evtx", "application.evtx"), path.join(outside, "real.evtx"));
    const { root, logs } = imageWith({ "inside.evtx": path.join(FIXTURES, "evtx", "application.evtx") });
    symlinkSync(path.join(outside, "real.evtx"), path.join(logs, "Application.evtx"));
    symlinkSync(path.join(logs, "inside.evtx"), path.join(logs, "System.evtx"));
    const out = await rejection(port(root).query("Application", EVERY));
    assert.ok(out instanceof InputFileError && out.code === "outside-root", String(out));
    const inside = await rejection(port(root).query("System", EVERY));
    assert.ok(inside instanceof InputFileError && inside.code === "not-a-file", String(inside));
  });

  it("a file that is not EVTX is a typed error", async () => {
    const { root } = imageWith({ "Application.evtx": new TextEncoder().encode("MZ not a log") });
    const e = (await rejection(port(root).query("Application", EVERY))) as { code?: string };
    assert.equal(e.code, "not-evtx");
  });

  it("streams a huge log: time grows linearly with its size, and the answer stays at max", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "koff-evtx-huge-"));
    scratch.push(dir);
    const roots = new Map<number, string>();
    await assertLinear(
      "image event-log port over a growing Application log",
      (mb) => {
        if (!roots.has(mb)) roots.set(mb, imageWith({ "Application.evtx": largeApplicationLog(mb) }).root);
        const root = roots.get(mb)!;
        return async () => {
          const r = await port(root).query("Application", { ids: [16384, 16394, 8224, 326], max: 50 });
          assert.equal(r.length, 50);
        };
      },
      { n: 2, factor: 4, repetitions: 1, attempts: 2 },
    );
  });
});
