/**
 * `triage` reads every host file into one reused buffer (src/util/scratch-buffer.ts), so nothing
 * it keeps may be a view of a file's bytes once the next file is read: not the record (printed
 * later by --json, SARIF, HTML and the summary), not the certificate cache, not the folder scans.
 * These tests try to break that: files triaged in a row into one buffer, which is then
 * scribbled over, must leave every record as it was; a record holds no typed array at all; and
 * a file triaged again after the scribble (caches warm) gets its first record. Also: a kept
 * buffer larger than the cap never lets a read go past cap + 1 bytes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { openSource } from "../../src/adapters/open-source.js";
import { createSignatureVerifier } from "../../src/app/signature-verifier.js";
import { streamHostFiles } from "../../src/app/triage-host-files.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import { fileSystemFolderScans } from "../../src/triage/sibling-loaders.js";
import { triagePortFile } from "../../src/triage/triage-snapshot-files.js";
import type { TriageRecord } from "../../src/triage/index.js";
import { InputFileError } from "../../src/util/input-file-error.js";
import { readUserFile } from "../../src/util/safe-file.js";
import { ScratchBuffer } from "../../src/util/scratch-buffer.js";
import { FIXTURES } from "../helpers/repo.js";

const AT = new Date("2026-11-21T00:00:00Z");
const PE_DIR = path.join(FIXTURES, "pe");
/** Signed and unsigned, x86 and x64, of several sizes: the signed ones exercise the certificate cache. */
const FILES = readdirSync(PE_DIR)
  .filter((f) => /\.(dll|exe)$/.test(f))
  .sort()
  .map((f) => path.join(PE_DIR, f));

async function options() {
  const verifier = await createSignatureVerifier({
    trustFiles: [path.join(FIXTURES, "pki", "trust-anchors.pem")],
    at: AT,
  });
  return { knowledge: loadKnowledge(), verifySignature: verifier.verify };
}

/** Every typed array or ArrayBuffer reachable from `value`, by path. */
function binaryValues(value: unknown, at = "record", seen = new Set<object>()): string[] {
  if (value === null || typeof value !== "object" || seen.has(value)) return [];
  seen.add(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return [at];
  const proto = Object.getPrototypeOf(value) as unknown;
  assert.ok(proto === Object.prototype || proto === Array.prototype, `${at} is a plain object or array`);
  return Object.entries(value).flatMap(([k, v]) => binaryValues(v, `${at}.${k}`, seen));
}

describe("one read buffer for a whole run", () => {
  it("records made from one buffer stay as they were after it is refilled and scribbled over", async () => {
    assert.ok(FILES.length > 20);
    const opts = await options();
    const { snapshot } = await openSource({ hostFiles: true });
    const scans = fileSystemFolderScans(snapshot.fs);
    const scratch = new ScratchBuffer();
    const naming = snapshot.fs.hostNaming!;
    const records: TriageRecord[] = [];
    const printed: string[] = [];
    for (const file of FILES) {
      const bytes = await naming.readNamedFile(file, 1 << 24, scratch);
      // The buffer is really shared: every read lands at the start of the same memory.
      assert.equal(bytes.buffer, scratch.claim(1).buffer);
      const record = await triagePortFile(snapshot.fs, file, bytes, opts, scans);
      records.push(record);
      printed.push(JSON.stringify(record));
    }
    scratch.claim(1).fill(0xa5);
    assert.deepEqual(
      records.map((r) => JSON.stringify(r)),
      printed,
    );
    for (const r of records) assert.deepEqual(binaryValues(r), [], r.path);
    assert.ok(records.some((r) => r.signature?.state === "valid"));

    // Caches warm with what the first pass saw: the same file read again gets its first record.
    const again: string[] = [];
    for (const file of FILES) {
      const bytes = await naming.readNamedFile(file, 1 << 24, scratch);
      again.push(JSON.stringify(await triagePortFile(snapshot.fs, file, bytes, opts, scans)));
    }
    assert.deepEqual(again, printed);
  });

  it("streamHostFiles hands over records that later files leave untouched", async () => {
    const opts = await options();
    const seen: Array<{ record: TriageRecord; json: string }> = [];
    // Twice over, so each file is read after a larger one and after a smaller one.
    const files = [...FILES, ...FILES.slice().reverse()];
    const handed = await streamHostFiles(files, opts, (record) => {
      seen.push({ record, json: JSON.stringify(record) });
    });
    assert.equal(handed, files.length);
    for (const { record, json } of seen) assert.equal(JSON.stringify(record), json);
    const [first, last] = [seen[0]!.json, seen.at(-1)!.json];
    assert.equal(first, last, "the first file judged again last: same record");
  });

  it(
    "a kept buffer larger than the cap never reads past cap + 1 bytes",
    { skip: process.platform !== "linux" && "/proc files report size 0 on Linux" },
    async () => {
      // /proc/self/status says 0 bytes and holds more than a KiB: only reading tells.
      const scratch = new ScratchBuffer();
      scratch.claim(1 << 20);
      const refused = await readUserFile("/proc/self/status", { maxBytes: 100, into: scratch }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(refused instanceof InputFileError && refused.code === "too-large", String(refused));
      assert.equal(refused.bytesRead, 101);
      const dir = mkdtempSync(path.join(tmpdir(), "koff-scratch-"));
      try {
        const file = path.join(dir, "a.dll");
        writeFileSync(file, new Uint8Array(5000).fill(7));
        const bytes = await readUserFile(file, { maxBytes: 5000, into: scratch });
        assert.deepEqual(new Uint8Array(bytes), new Uint8Array(5000).fill(7));
        assert.equal(bytes.buffer, scratch.claim(1).buffer);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("a file over the kept size gets a buffer of its own; the kept one stays", () => {
    const scratch = new ScratchBuffer(4096);
    const kept = scratch.claim(100);
    assert.equal(scratch.claim(4096).buffer, scratch.claim(1).buffer);
    const big = scratch.claim(4097);
    assert.notEqual(big.buffer, scratch.claim(1).buffer);
    assert.ok(big.length >= 4097 && kept.length >= 100);
  });
});
