/**
 * The `--image` / `--bundle` flags as a source spec, and the usage errors every command gives for
 * a source that cannot be opened (src/cli/source-options.ts).
 */
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { checkCliSourceSupported, openCliSource, sourceSpec } from "../../src/cli/source-options.js";
import { UsageError } from "../../src/cli/usage-error.js";
import { EXAMPLES, REPO_ROOT } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

describe("sourceSpec", () => {
  it("names a bundle, an image or (neither) the live machine, with the stated free space", () => {
    assert.deepEqual(sourceSpec({ bundle: "b.zip", freeSpace: 5 }), { bundle: "b.zip", freeBytes: 5 });
    assert.deepEqual(sourceSpec({ image: "/img" }), { image: "/img" });
    assert.deepEqual(sourceSpec({ image: "/img", freeSpace: 0 }), { image: "/img", freeBytes: 0 });
    assert.deepEqual(sourceSpec({}), { live: true });
  });
  it("refuses --image with --bundle", () => {
    assert.throws(
      () => sourceSpec({ image: "/img", bundle: "b.zip" }),
      (e) => e instanceof UsageError && e.message === "--image and --bundle are exclusive",
    );
  });
});

describe("openCliSource", () => {
  it("turns source errors into usage errors naming the option", async () => {
    await assert.rejects(
      openCliSource({ image: REPO_ROOT }, "hint"),
      (e) =>
        e instanceof UsageError &&
        e.message ===
          `--image ${REPO_ROOT}: not the root of a Windows system volume (no Windows, Users or Program Files folder)`,
    );
    await assert.rejects(
      openCliSource({ image: "/no/such/dir" }, "hint"),
      (e) => e instanceof UsageError && e.message.startsWith("--image /no/such/dir: not-found: "),
    );
    const opened = await openCliSource({ image: path.join(EXAMPLES, "healthy") }, "hint");
    assert.equal(opened.snapshot.mode, "image");
    opened.close();
  });
  it("off Windows, live mode is a usage error that ends with the command's hint", async (t) => {
    if (process.platform === "win32") return t.skip("this machine runs Windows: live mode is allowed");
    const live = (e: unknown) =>
      e instanceof UsageError && e.message === "live mode runs on Windows only; pass --image DIR";
    await assert.rejects(openCliSource({ live: true }, "pass --image DIR"), live);
    assert.throws(() => checkCliSourceSupported({ live: true }, "pass --image DIR"), live);
  });
  it("every command that reads a machine says the same thing for the same bad source", async (t) => {
    if (process.platform === "win32") return t.skip("this machine runs Windows: live mode is allowed");
    for (const argv of [["check"], ["collect"], ["repair"]]) {
      const r = await runCli(argv);
      assert.equal(r.code, 64, argv.join(" "));
      assert.match(r.stderr, /live mode runs on Windows only; pass --image DIR/, argv.join(" "));
    }
    const out = path.join(tmpdir(), `koff-source-options-${process.pid}.zip`);
    for (const argv of [["check"], ["collect", "--out", out], ["repair"], ["triage", EXAMPLES]]) {
      const r = await runCli([...argv, "--image", REPO_ROOT]);
      assert.equal(r.code, 64, argv.join(" "));
      assert.match(r.stderr, /--image .*: not the root of a Windows system volume/, argv.join(" "));
    }
  });
});
