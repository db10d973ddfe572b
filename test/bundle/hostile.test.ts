/**
 * Hostile bundles: zip-slip, absolute paths, symbolic links, 100,000 entries, a 10 GB declared
 * member, a high declared ratio, and a member that inflates past its declared size. Each must be
 * refused with its typed error within 256 MB of memory, writing nothing anywhere. (No wall-clock
 * limit: timing goals live in bench/; the per-test timeout is only a generous hang guard.)
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createDeflateRaw } from "node:zlib";
import { BundleError, openBundle, type BundleErrorCode } from "../../src/bundle/index.js";
import { runCli } from "../helpers/run-cli.js";
import { craftZip, type CraftEntry } from "./zip-craft.js";

const MiB = 1024 * 1024;
let dir: string;
let marker: string;

/** Deflates `size` zero bytes in 1 MiB steps (never holding the inflated data). */
async function deflatedZeros(size: number): Promise<Buffer> {
  const z = createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  z.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => z.on("end", r));
  const block = Buffer.alloc(MiB);
  for (let left = size; left > 0; left -= MiB) {
    if (!z.write(left >= MiB ? block : block.subarray(0, left))) await new Promise((r) => z.once("drain", r));
  }
  z.end();
  await done;
  return Buffer.concat(chunks);
}

/** A manifest member listing `members` with the given declared sizes (hashes of nothing). */
function manifestFor(
  members: Array<{ path: string; size: number }>,
  overrides: Record<string, unknown> = {},
): CraftEntry {
  const doc = {
    schemaVersion: 1,
    kind: "koff-doctor-bundle",
    tool: { name: "koff-doctor", version: "0.0.0" },
    createdAt: "2026-11-21T00:00:00.000Z",
    mode: "image",
    source: "image x",
    redacted: false,
    caps: {},
    notes: [],
    members: members.map((m) => ({ ...m, sha256: createHash("sha256").update("").digest("hex") })),
    ...overrides,
  };
  return { name: "manifest.json", data: Buffer.from(JSON.stringify(doc)) };
}

const cases: Array<{
  name: string;
  code: BundleErrorCode;
  entries: () => Promise<CraftEntry[]> | CraftEntry[];
}> = [
  {
    name: "zip-slip (../../)",
    code: "path-traversal",
    entries: () => [
      manifestFor([]),
      { name: `files/../../../${path.basename(marker)}`, data: Buffer.from("pwned") },
    ],
  },
  {
    name: "a member listed twice in the manifest (each listing would be hashed again)",
    code: "manifest-invalid",
    entries: () => [
      manifestFor([
        { path: "empty.txt", size: 0 },
        { path: "empty.txt", size: 0 },
      ]),
      { name: "empty.txt", data: Buffer.alloc(0) },
    ],
  },
  {
    // Found by the fuzz harness (bundle target): createBundleSnapshot crashed filtering the notes.
    name: "manifest notes that are not a list of strings",
    code: "manifest-invalid",
    entries: () => [manifestFor([], { notes: "masked: x" })],
  },
  {
    name: "absolute path (/…)",
    code: "absolute-path",
    entries: () => [manifestFor([]), { name: marker, data: Buffer.from("pwned") }],
  },
  {
    name: "absolute path (C:/…)",
    code: "absolute-path",
    entries: () => [{ name: "C:/Windows/System32/evil.dll", data: Buffer.from("MZ") }],
  },
  {
    name: "backslash zip-slip (..\\)",
    code: "path-traversal",
    entries: () => [{ name: "files\\..\\..\\evil.txt", data: Buffer.from("x") }],
  },
  {
    name: "symbolic link",
    code: "link",
    entries: () => [
      manifestFor([{ path: "files/C/link", size: 11 }]),
      {
        name: "files/C/link",
        data: Buffer.from("/etc/passwd"),
        method: 0,
        externalAttributes: (0o120777 << 16) >>> 0,
      },
    ],
  },
  {
    name: "100,000 entries",
    code: "too-many-entries",
    entries: () => Array.from({ length: 100_000 }, (_, i) => ({ name: `f/${i}`, method: 0 as const })),
  },
  {
    name: "10 GB declared",
    code: "entry-too-large",
    entries: () => [
      manifestFor([]),
      { name: "files/C/huge.bin", data: Buffer.from("tiny"), uncompressedSize: 10 * 1024 ** 3 },
    ],
  },
  {
    name: "high declared ratio (16 MiB of zeros in ~16 KiB)",
    code: "ratio-too-high",
    entries: async () => [
      manifestFor([{ path: "files/C/zeros.bin", size: 16 * MiB }]),
      { name: "files/C/zeros.bin", raw: await deflatedZeros(16 * MiB), uncompressedSize: 16 * MiB, crc: 0 },
    ],
  },
  {
    name: "ratio bomb lying about its size (1 GiB of zeros declared as 1 KiB)",
    code: "size-mismatch",
    entries: async () => [
      manifestFor([{ path: "files/C/bomb.bin", size: 1024 }]),
      { name: "files/C/bomb.bin", raw: await deflatedZeros(1024 * MiB), uncompressedSize: 1024, crc: 0 },
    ],
  },
];

describe("hostile bundles are refused", () => {
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "koff-hostile-"));
    marker = path.join(tmpdir(), `koff-zip-slip-marker-${process.pid}.txt`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const c of cases) {
    it(`${c.name} → ${c.code}, in < 256 MB`, { timeout: 120_000 }, async () => {
      const file = path.join(dir, `${c.code}-${cases.indexOf(c)}.zip`);
      writeFileSync(file, craftZip(await c.entries()));
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      const heapBefore = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      const err = await openBundle(file).then(
        (b) => {
          b.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      const ms = performance.now() - t0;
      const rssGrowth = process.memoryUsage().rss - rssBefore;
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      assert.ok(err instanceof BundleError, `expected a BundleError, got ${String(err)}`);
      assert.equal(err.code, c.code, err.message);
      assert.ok(rssGrowth < 256 * MiB, `rss grew ${(rssGrowth / MiB).toFixed(1)} MiB`);
      assert.ok(heapGrowth < 256 * MiB, `heap grew ${(heapGrowth / MiB).toFixed(1)} MiB`);
      assert.ok(
        process.resourceUsage().maxRSS * 1024 < 1024 * MiB,
        "peak RSS of the test process stays bounded",
      );
      // Nothing was written: not the zip-slip target, not next to the zip.
      assert.equal(existsSync(marker), false, "zip-slip target must not exist");
      assert.equal(existsSync(path.resolve(dir, "..", "..", path.basename(marker))), false);
      assert.deepEqual(
        readdirSync(dir).filter((n) => !n.endsWith(".zip")),
        [],
      );
      console.log(
        `# ${c.name}: ${c.code} in ${ms.toFixed(1)} ms, rss +${(rssGrowth / MiB).toFixed(1)} MiB, heap +${(heapGrowth / MiB).toFixed(1)} MiB`,
      );
    });
  }

  it("a member with a forged CRC is refused (crc-mismatch)", async () => {
    const file = path.join(dir, "crc.zip");
    const data = Buffer.from('{"x":1}');
    writeFileSync(file, craftZip([{ name: "manifest.json", data, crc: 1234 }]));
    await assert.rejects(
      openBundle(file),
      (e: unknown) => e instanceof BundleError && e.code === "crc-mismatch",
    );
  });

  it("members declaring more than the total cap in all (total-too-large)", async () => {
    const file = path.join(dir, "total.zip");
    const entries = Array.from({ length: 5 }, (_, i) => ({ name: `f/${i}`, data: Buffer.alloc(100, i) }));
    writeFileSync(file, craftZip(entries));
    await assert.rejects(
      openBundle(file, { maxTotalBytes: 450 }),
      (e: unknown) => e instanceof BundleError && e.code === "total-too-large" && e.path === "f/4",
    );
  });

  it("duplicate member names, case-insensitively (duplicate-entry)", async () => {
    const file = path.join(dir, "dup.zip");
    writeFileSync(
      file,
      craftZip([
        { name: "check.json", data: Buffer.from("a") },
        { name: "CHECK.json", data: Buffer.from("b") },
      ]),
    );
    await assert.rejects(
      openBundle(file),
      (e: unknown) => e instanceof BundleError && e.code === "duplicate-entry",
    );
  });

  it("a stored member whose sizes disagree (size-mismatch), and an over-long name (bad-name)", async () => {
    const file = path.join(dir, "stored.zip");
    writeFileSync(file, craftZip([{ name: "a", data: Buffer.from("abc"), method: 0, uncompressedSize: 2 }]));
    await assert.rejects(
      openBundle(file),
      (e: unknown) => e instanceof BundleError && e.code === "size-mismatch",
    );
    const long = path.join(dir, "long.zip");
    writeFileSync(long, craftZip([{ name: "a/".repeat(600) + "b", data: Buffer.from("x") }]));
    await assert.rejects(openBundle(long), (e: unknown) => e instanceof BundleError && e.code === "bad-name");
  });

  it("not a zip at all (not-a-zip)", async () => {
    const file = path.join(dir, "plain.zip");
    writeFileSync(file, "this is not a zip file");
    await assert.rejects(
      openBundle(file),
      (e: unknown) => e instanceof BundleError && e.code === "not-a-zip",
    );
  });

  it("the CLI refuses a hostile bundle with exit code 3 and names the member", async () => {
    const file = path.join(dir, "slip-cli.zip");
    writeFileSync(file, craftZip([{ name: "../../evil.txt", data: Buffer.from("x") }]));
    const r = await runCli(["check", "--bundle", file]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /path-traversal, member \.\.\/\.\.\/evil\.txt/);
    assert.equal(r.stdout, "");
  });
});
