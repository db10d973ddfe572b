/**
 * The second thread of `triage -r` (src/util/sha256-thread.ts, src/app/digest-thread.ts) hashes
 * files read into shared memory beside the main thread, and computes one more result over them
 * first (triage's search for API names). These tests try to break it: digests and results equal
 * to the inline ones at every size around the hand-over threshold and across a grown buffer (a
 * new shared memory); a result that throws or is too long to pass back; a job begun and never
 * taken; a digest taken after the thread is closed; bytes not in its memory; a whole run's
 * records equal with and without it (the search taken from the thread); and a process that
 * never closes it still exits.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { decodeWatchedNames, encodeWatchedNames, startDigestThread } from "../../src/app/digest-thread.js";
import { createSignatureVerifier } from "../../src/app/signature-verifier.js";
import { streamHostFiles } from "../../src/app/triage-host-files.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import type { TriageRecord } from "../../src/triage/index.js";
import { findWatchedNamesInFile } from "../../src/triage/dynamic-imports.js";
import type { FileDigester } from "../../src/triage/triage-snapshot-files.js";
import { Sha256Thread, THREAD_HASH_MIN_BYTES } from "../../src/util/sha256-thread.js";
import { FIXTURES } from "../helpers/repo.js";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
/** The test thread's result (test/helpers/sha256-thread-worker.ts): the byte count and sum. */
const countAndSum = (bytes: Uint8Array) => [bytes.length, bytes.reduce((a, b) => a + b, 0)];
const TEST_THREAD = { file: new URL("../helpers/sha256-thread-worker.js", import.meta.url) };
/** Random bytes not starting with the test thread's marker bytes (0xEE throws, 0xBB is too long). */
const plainBytes = (n: number) => {
  const b = randomBytes(n);
  if (n > 0) b[0] = 0;
  return b;
};

/** A started thread, once it has said it is ready (its start-up runs on its own thread). */
async function readyThread(): Promise<Sha256Thread> {
  const thread = Sha256Thread.start(TEST_THREAD);
  assert.ok(thread, "the runtime starts a worker thread");
  const probe = thread.scratches[0]!.claim(THREAD_HASH_MIN_BYTES).subarray(0, THREAD_HASH_MIN_BYTES);
  for (let i = 0; i < 500; i++) {
    const pending = thread.begin(probe);
    if (pending) {
      pending.digest();
      return thread;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  thread.close();
  assert.fail("the thread never became ready");
}

/** Fills one of the thread's buffers with `content` as a file read would, returning the view. */
function readInto(thread: Sha256Thread, content: Uint8Array, slot = 0): Uint8Array {
  const buffer = thread.scratches[slot]!.claim(content.length);
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
        const content = plainBytes(size);
        const bytes = readInto(thread, content);
        const pending = thread.begin(bytes);
        assert.equal(pending !== undefined, size >= THREAD_HASH_MIN_BYTES, `size ${size}`);
        if (pending) {
          handed++;
          assert.deepEqual([...(pending.extra() ?? [])], countAndSum(content), `size ${size}`);
          assert.equal(pending.digest(), sha256(content), `size ${size}`);
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
        const content = plainBytes(size);
        const bytes = readInto(thread, content);
        memories.add(bytes.buffer);
        const pending = thread.begin(bytes);
        assert.ok(pending);
        assert.deepEqual([...(pending.extra() ?? [])], countAndSum(content), `size ${size}`);
        assert.equal(pending.digest(), sha256(content), `size ${size}`);
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
      assert.equal(pending.digest(), sha256(content));
      assert.throws(() => pending.digest(), /taken once/);
      assert.equal(pending.extra(), undefined, "no result once the digest is taken");
    } finally {
      thread.close();
    }
  });

  it("takes a file while the one before is still hashed, each buffer in a slot of its own", async () => {
    const thread = await readyThread();
    try {
      for (const [a, b] of [
        [3_000_000, 200_000],
        [150_000, 5_000_000],
        [2_500_000, 2_500_000],
      ] as const) {
        const [ca, cb] = [plainBytes(a), plainBytes(b)];
        const pa = thread.begin(readInto(thread, ca, 0));
        const pb = thread.begin(readInto(thread, cb, 1));
        assert.ok(pa && pb);
        // The second file's result first, as a run judges it before the first one's digest.
        assert.deepEqual([...(pb.extra() ?? [])], countAndSum(cb));
        assert.equal(pa.digest(), sha256(ca));
        assert.equal(pb.digest(), sha256(cb));
      }
    } finally {
      thread.close();
    }
  });

  it("waits one job out when a third memory comes while both slots are busy", async () => {
    const thread = await readyThread();
    try {
      const [ca, cb, cc] = [randomBytes(3_000_000), randomBytes(1_000_000), randomBytes(700_000)];
      const pa = thread.begin(readInto(thread, ca, 0));
      const pb = thread.begin(readInto(thread, cb, 1));
      const third = Buffer.from(new SharedArrayBuffer(cc.length));
      third.set(cc);
      const pc = thread.begin(third);
      assert.ok(pa && pb && pc);
      // Whichever job was waited out and dropped is hashed inline: every digest is right.
      assert.equal(pc.digest(), sha256(cc));
      assert.equal(pa.digest(), sha256(ca));
      assert.equal(pb.digest(), sha256(cb));
      const cd = randomBytes(400_000);
      const pd = thread.begin(readInto(thread, cd, 1));
      assert.ok(pd);
      assert.equal(pd.digest(), sha256(cd));
    } finally {
      thread.close();
    }
  });

  it("passes back no result that threw or is too long, and goes on with the next file", async () => {
    const thread = await readyThread();
    try {
      for (const first of [0xee, 0xbb, 0x00]) {
        const content = randomBytes(300_000);
        content[0] = first;
        const pending = thread.begin(readInto(thread, content));
        assert.ok(pending);
        const extra = pending.extra();
        if (first === 0x00) assert.deepEqual([...(extra ?? [])], countAndSum(content));
        else assert.equal(extra, undefined, `first byte 0x${first.toString(16)}`);
        assert.equal(pending.digest(), sha256(content));
      }
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
    assert.equal(pending.digest(), sha256(content), "the digest of a job in hand survives close");
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
    const thread = startDigestThread();
    assert.ok(thread, "this build starts the digest thread");
    let handed = 0;
    let searched = 0;
    const counting: FileDigester = {
      scratches: thread.scratches,
      begin: (bytes) => {
        const pending = thread.begin(bytes);
        if (pending === undefined) return undefined;
        handed++;
        return {
          sha256: pending.sha256,
          watchedNames: () => {
            const found = pending.watchedNames();
            if (found !== undefined) searched++;
            return found;
          },
        };
      },
    };
    try {
      const inline = await run();
      // Until the thread is ready every file is inline: wait for it, as a long run would.
      for (let i = 0; i < 500 && handed === 0; i++) {
        const probe = thread.scratches[0]!.claim(THREAD_HASH_MIN_BYTES).subarray(0, THREAD_HASH_MIN_BYTES);
        const pending = thread.begin(probe);
        if (pending) pending.sha256();
        else await new Promise((r) => setTimeout(r, 10));
        if (pending) break;
      }
      const threaded = await run(counting);
      assert.ok(files.length > 20);
      assert.equal(threaded, inline);
      assert.equal(handed, files.length / 2, "the thread hashed the padded copies");
      assert.ok(searched > 0, "the names search of some files came from the thread");
    } finally {
      thread.close();
      rmSync(scratchDir, { recursive: true, force: true });
    }
  });

  it("does not keep the process alive when never closed", () => {
    const module = pathToFileURL(path.resolve(import.meta.dirname, "../../src/util/sha256-thread.js")).href;
    const entry = JSON.stringify(TEST_THREAD.file.href);
    const script = `import(${JSON.stringify(module)}).then(({ Sha256Thread }) => { Sha256Thread.start({ file: new URL(${entry}) }); console.log("started"); });`;
    // The guard only stops a hung child; the assertion is on how it ended.
    const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000 });
    assert.equal(child.signal, null, "exited on its own");
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /started/);
  });

  it("a search made by the thread is decoded to the one made here, and a wrong one is not used", () => {
    const dir = path.join(FIXTURES, "pe");
    let compared = 0;
    for (const f of readdirSync(dir).filter((n) => /\.(dll|exe)$/.test(n))) {
      const bytes = readFileSync(path.join(dir, f));
      const found = findWatchedNamesInFile(bytes);
      if (found === undefined) continue;
      assert.deepEqual(decodeWatchedNames(encodeWatchedNames(found)), found, f);
      compared++;
    }
    assert.ok(compared > 10);
    assert.equal(decodeWatchedNames(Float64Array.of(5, 1, 2)), undefined, "segments past the end");
    assert.equal(decodeWatchedNames(Float64Array.of(-1)), undefined);
    assert.equal(decodeWatchedNames(new Float64Array(0)), undefined);
  });
});
