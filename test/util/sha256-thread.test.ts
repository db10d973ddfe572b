/**
 * The sha256 thread of `triage -r` (src/util/sha256-thread.ts) hashes files read into shared
 * memory beside the main thread. These tests try to break it: digests equal to the inline ones
 * at every size around the hand-over threshold and across a grown buffer (a new shared memory);
 * a job begun and never taken; a digest taken after the thread is closed; bytes not in its
 * memory; a whole run's records equal with and without it; and a process that never closes it
 * still exits.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { createSignatureVerifier } from "../../src/app/signature-verifier.js";
import { streamHostFiles } from "../../src/app/triage-host-files.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import type { TriageRecord } from "../../src/triage/index.js";
import type { FileDigester } from "../../src/triage/triage-snapshot-files.js";
import { Sha256Thread, THREAD_HASH_MIN_BYTES } from "../../src/util/sha256-thread.js";
import { FIXTURES } from "../helpers/repo.js";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A started thread, once it has said it is ready (its start-up runs on its own thread). */
async function readyThread(): Promise<Sha256Thread> {
  const thread = Sha256Thread.start();
  assert.ok(thread, "the runtime starts a worker thread");
  const probe = thread.scratch.claim(THREAD_HASH_MIN_BYTES).subarray(0, THREAD_HASH_MIN_BYTES);
  for (let i = 0; i < 500; i++) {
    const pending = thread.begin(probe);
    if (pending) {
      pending();
      return thread;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  thread.close();
  assert.fail("the thread never became ready");
}

/** Fills the thread's scratch with `content` as a file read would, returning the view. */
function readInto(thread: Sha256Thread, content: Uint8Array): Uint8Array {
  const buffer = thread.scratch.claim(content.length);
  buffer.set(content);
  return buffer.subarray(0, content.length);
}

describe("Sha256Thread", () => {
  it("gives the inline digest at every size around the threshold, and hashes small files inline", async () => {
    const thread = await readyThread();
    try {
      let handed = 0;
      for (const size of [
        0,
        1,
        THREAD_HASH_MIN_BYTES - 1,
        THREAD_HASH_MIN_BYTES,
        THREAD_HASH_MIN_BYTES + 3,
        1 << 20,
      ]) {
        const content = randomBytes(size);
        const bytes = readInto(thread, content);
        const pending = thread.begin(bytes);
        assert.equal(pending !== undefined, size >= THREAD_HASH_MIN_BYTES, `size ${size}`);
        if (pending) {
          handed++;
          assert.equal(pending(), sha256(content), `size ${size}`);
        }
      }
      assert.equal(handed, 3);
    } finally {
      thread.close();
    }
  });

  it("follows the buffer when it grows into a new shared memory, file after file", async () => {
    const thread = await readyThread();
    try {
      const memories = new Set<ArrayBufferLike>();
      for (const size of [100_000, 300_000, 2_000_000, 150_000, 9_000_000, 120_000]) {
        const content = randomBytes(size);
        const bytes = readInto(thread, content);
        memories.add(bytes.buffer);
        const pending = thread.begin(bytes);
        assert.ok(pending);
        assert.equal(pending(), sha256(content), `size ${size}`);
      }
      assert.ok(memories.size >= 3, `the scratch grew (${memories.size} memories)`);
    } finally {
      thread.close();
    }
  });

  it("waits out a job that was begun and never taken before it starts the next", async () => {
    const thread = await readyThread();
    try {
      const first = readInto(thread, randomBytes(4_000_000));
      assert.ok(thread.begin(first));
      // The triage of `first` threw: its digest is never taken; the buffer is refilled.
      const content = randomBytes(500_000);
      const second = readInto(thread, content);
      const pending = thread.begin(second);
      assert.ok(pending);
      assert.equal(pending(), sha256(content));
      assert.throws(() => pending(), /taken once/);
    } finally {
      thread.close();
    }
  });

  it("leaves bytes outside its shared memory to the caller, and hashes inline once closed", async () => {
    const thread = await readyThread();
    const ordinary = randomBytes(THREAD_HASH_MIN_BYTES * 4);
    assert.equal(thread.begin(ordinary), undefined, "not in its memory");
    const content = randomBytes(2_000_000);
    const pending = thread.begin(readInto(thread, content));
    assert.ok(pending);
    thread.close();
    assert.equal(pending(), sha256(content), "the digest of a job in hand survives close");
    assert.equal(thread.begin(readInto(thread, content)), undefined, "closed: inline");
  });

  it("gives the records of a run without it, file for file", async () => {
    // The fixtures, and each again with an overlay that takes it past the hand-over threshold.
    const dir = path.join(FIXTURES, "pe");
    const scratchDir = mkdtempSync(path.join(tmpdir(), "koff-sha256-thread-"));
    const files = readdirSync(dir)
      .filter((f) => /\.(dll|exe)$/.test(f))
      .sort()
      .flatMap((f) => {
        const padded = path.join(scratchDir, f);
        writeFileSync(
          padded,
          Buffer.concat([readFileSync(path.join(dir, f)), randomBytes(THREAD_HASH_MIN_BYTES)]),
        );
        return [path.join(dir, f), padded];
      });
    const verifier = await createSignatureVerifier({
      trustFiles: [path.join(FIXTURES, "pki", "trust-anchors.pem")],
      at: new Date("2026-11-21T00:00:00Z"),
    });
    const run = async (digester?: FileDigester) => {
      const records: TriageRecord[] = [];
      await streamHostFiles(
        files,
        { knowledge: loadKnowledge(), verifySignature: verifier.verify, digester },
        (r) => void records.push(r),
      );
      return JSON.stringify(records);
    };
    const thread = await readyThread();
    let handed = 0;
    const counting: FileDigester = {
      scratch: thread.scratch,
      begin: (bytes) => {
        const pending = thread.begin(bytes);
        if (pending) handed++;
        return pending;
      },
    };
    try {
      const [inline, threaded] = [await run(), await run(counting)];
      assert.ok(files.length > 20);
      assert.equal(threaded, inline);
      assert.equal(handed, files.length / 2, "the thread hashed the padded copies");
    } finally {
      thread.close();
      rmSync(scratchDir, { recursive: true, force: true });
    }
  });

  it("does not keep the process alive when never closed", () => {
    const module = pathToFileURL(path.resolve(import.meta.dirname, "../../src/util/sha256-thread.js")).href;
    const script = `import(${JSON.stringify(module)}).then(({ Sha256Thread }) => { Sha256Thread.start(); console.log("started"); });`;
    // The guard only stops a hung child; the assertion is on how it ended.
    const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000 });
    assert.equal(child.signal, null, "exited on its own");
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /started/);
  });
});
