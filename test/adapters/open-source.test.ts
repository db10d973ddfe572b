/**
 * `openSource`: one way to open an image, a bundle or the live machine, with the checks every
 * source passes before it is read (image root, live mode on Windows only, a bundle verified
 * whole) and `close()` releasing a bundle's zip.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { assertSourceSupported, openSource, SourceError } from "../../src/adapters/index.js";
import { BundleError, writeZipFile } from "../../src/bundle/index.js";
import { InputFileError } from "../../src/util/input-file-error.js";
import { EXAMPLES, REPO_ROOT } from "../helpers/repo.js";
import { zipMembers } from "../helpers/zip-members.js";
import { runCli } from "../helpers/run-cli.js";

const HEALTHY = path.join(EXAMPLES, "healthy");

describe("openSource: image", () => {
  it("opens a Windows volume root as an image snapshot (files and hives of the image)", async () => {
    const opened = await openSource({ image: HEALTHY });
    try {
      assert.equal(opened.snapshot.mode, "image");
      assert.equal(opened.snapshot.describe(), `image ${path.resolve(HEALTHY)}`);
      assert.equal((await opened.snapshot.fs.stat("C:\\Windows"))?.kind, "dir");
      assert.deepEqual(
        (await opened.snapshot.registry.users()).map((u) => u.user),
        ["alice"],
      );
      assert.equal(opened.snapshot.disk, undefined, "free space unknown unless stated");
      assert.match(opened.snapshot.unknown["freeDiskBytes"] ?? "", /--free-space/);
    } finally {
      opened.close();
    }
  });

  it("passes the stated free space through", async () => {
    const opened = await openSource({ image: HEALTHY, freeBytes: 12345 });
    assert.equal(await opened.snapshot.disk?.freeBytes("C:\\"), 12345);
    assert.equal(opened.snapshot.unknown["freeDiskBytes"], undefined);
  });

  it("refuses a folder that is not a volume root (not-an-image-root) and a missing path (not-found)", async () => {
    await assert.rejects(
      openSource({ image: REPO_ROOT }),
      (e) =>
        e instanceof SourceError &&
        e.code === "not-an-image-root" &&
        e.path === REPO_ROOT &&
        e.message.startsWith(`${REPO_ROOT}: not the root of a Windows system volume`),
    );
    await assert.rejects(
      openSource({ image: "/no/such/dir" }),
      (e) => e instanceof InputFileError && e.code === "not-found",
    );
  });
});

describe("openSource: live", () => {
  it("is refused off Windows (live-unsupported), checked without I/O by assertSourceSupported", async () => {
    assert.throws(
      () => assertSourceSupported({ live: true }, "linux"),
      (e) => e instanceof SourceError && e.code === "live-unsupported",
    );
    assert.doesNotThrow(() => assertSourceSupported({ live: true }, "win32"));
    assert.doesNotThrow(() => assertSourceSupported({ image: "/x" }, "linux"));
    if (process.platform !== "win32")
      await assert.rejects(
        openSource({ live: true }),
        (e) => e instanceof SourceError && e.code === "live-unsupported",
      );
  });
});

describe("openSource: bundle", () => {
  let dir: string;
  let bundle: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "koff-open-source-"));
    bundle = path.join(dir, "b.zip");
    const r = await runCli(["collect", "--image", HEALTHY, "--out", bundle, "--at", "2026-11-21T00:00:00Z"]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("replays a verified bundle as a bundle snapshot that lists what it carries", async () => {
    const opened = await openSource({ bundle });
    try {
      assert.equal(opened.snapshot.mode, "bundle");
      assert.equal(opened.snapshot.describe(), `bundle ${bundle}`);
      assert.ok(opened.snapshot.fs.carriedFiles().some((f) => /kofmsp/i.test(f.path)));
      assert.deepEqual(await opened.snapshot.registry.health(), []);
    } finally {
      opened.close();
      opened.close(); // idempotent
    }
  });

  it("a stated free space replaces the bundle's own answer", async () => {
    const opened = await openSource({ bundle, freeBytes: 777 });
    try {
      assert.equal(await opened.snapshot.disk?.freeBytes("C:\\"), 777);
      // Known now: not also listed as unknown (check --bundle --free-space printed both).
      assert.equal(opened.snapshot.unknown["freeDiskBytes"], undefined);
    } finally {
      opened.close();
    }
  });

  it("refuses a tampered bundle with a BundleError, holding nothing open", async () => {
    const members = await zipMembers(bundle);
    const changed = members.map((m) =>
      m.name === "system.json" ? { ...m, data: new TextEncoder().encode("{}\n") } : m,
    );
    const bad = path.join(dir, "tampered.zip");
    await writeZipFile(bad, changed, new Date());
    await assert.rejects(
      openSource({ bundle: bad }),
      (e) => e instanceof BundleError && e.code === "tampered" && e.path === "system.json",
    );
    // The zip was closed: the file can be removed and replaced at once.
    rmSync(bad);
  });
});
