/**
 * The file sha256 hashed on the thread pool (src/app/file-digest.ts): the same digest as
 * node:crypto's, whatever the size; safe to refill the buffer as soon as the call returns (the
 * read buffer of a host run is refilled with the next file while the pool may still be hashing);
 * used only where there is a second core; and triage records identical with it and without it,
 * also when the files are read one after another into one buffer.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { hostFileDigest, threadPoolSha256 } from "../../src/app/file-digest.js";
import { createSignatureVerifier } from "../../src/app/signature-verifier.js";
import { streamHostFiles } from "../../src/app/triage-host-files.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import type { TriageRecord } from "../../src/triage/index.js";
import { FIXTURES } from "../helpers/repo.js";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("threadPoolSha256", () => {
  it("gives node:crypto's digest for empty, odd-sized and multi-MiB inputs, and for views into a larger buffer", async () => {
    for (const size of [0, 1, 63, 64, 65, 4097, 3 * 1024 * 1024 + 5]) {
      const bytes = new Uint8Array(randomBytes(size));
      assert.equal(await threadPoolSha256(bytes), sha256(bytes), `${size} bytes`);
    }
    const host = new Uint8Array(randomBytes(10_000));
    const view = host.subarray(17, 9_000);
    assert.equal(await threadPoolSha256(view), sha256(view));
  });

  it("hashes the bytes as they were at the call: the buffer is refilled at once, many times over", async () => {
    const buffer = new Uint8Array(2 * 1024 * 1024);
    const pending: Array<{ digest: Promise<string>; want: string }> = [];
    for (let i = 0; i < 16; i++) {
      buffer.fill(i);
      buffer.set(randomBytes(64), (i * 4099) % buffer.length);
      const want = sha256(buffer);
      pending.push({ digest: threadPoolSha256(buffer), want });
      // The next "file" overwrites the buffer before the pool is done with the last.
      buffer.fill(0xa5);
    }
    for (const [i, p] of pending.entries()) assert.equal(await p.digest, p.want, `call ${i}`);
  });

  it("is the default only where there is a second core", () => {
    assert.equal(hostFileDigest(1), undefined);
    assert.equal(hostFileDigest(2), threadPoolSha256);
    assert.equal(hostFileDigest(16), threadPoolSha256);
  });
});

describe("host triage with the thread-pool digest", () => {
  it("gives the records of the in-walk digest, file after file through one read buffer", async () => {
    const files = readdirSync(path.join(FIXTURES, "pe"))
      .filter((f) => /\.(dll|exe)$/.test(f))
      .sort()
      .map((f) => path.join(FIXTURES, "pe", f));
    assert.ok(files.length > 20);
    const verifier = await createSignatureVerifier({
      trustFiles: [path.join(FIXTURES, "pki", "trust-anchors.pem")],
      at: new Date("2026-11-21T00:00:00Z"),
    });
    const run = async (digestFile: ((bytes: Uint8Array) => Promise<string>) | null) => {
      const records: string[] = [];
      await streamHostFiles(
        [...files, ...files.slice().reverse()],
        { knowledge: loadKnowledge(), verifySignature: verifier.verify, digestFile },
        (r: TriageRecord) => void records.push(JSON.stringify(r)),
      );
      return records;
    };
    const pooled = await run(threadPoolSha256);
    const inWalk = await run(null);
    assert.equal(pooled.length, 2 * files.length);
    assert.deepEqual(pooled, inWalk);
    // Not vacuous: every readable PE got a digest of its own.
    const digests = new Set(
      pooled.map((j) => (JSON.parse(j) as TriageRecord).sha256).filter((d) => d !== ""),
    );
    assert.ok(digests.size > 20);
  });
});
