/**
 * koff-doctor.exe's CommonJS bundle (scripts/build-exe.ts `exeBundleOptions`) runs under this
 * Node: the exe itself needs Windows (or wine) and node.exe, but a bundle that throws while its
 * modules load (e.g. on `import.meta.url`, which a CommonJS bundle lacks) fails here too.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { exeBundleOptions } from "../../scripts/build-exe.js";
import { REPO_ROOT as repoRoot } from "../helpers/repo.js";

const work = mkdtempSync(path.join(tmpdir(), "koff-exe-bundle-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("koff-doctor.exe's bundle", () => {
  it("verifies a signed file against Node's roots and prints its version", async () => {
    const esbuild = await import("esbuild");
    const bundle = path.join(work, "koff-doctor.cjs");
    await esbuild.build({ ...(await exeBundleOptions("0.0.0-test")), outfile: bundle, logLevel: "silent" });
    const run = (...args: string[]) => spawnSync(process.execPath, [bundle, ...args], { encoding: "utf8" });
    const version = run("--version");
    assert.equal(version.stderr, "");
    assert.equal(version.stdout.trim(), "0.0.0-test");
    // A signed file: its chain is built, so Node's roots are loaded (node:tls) on demand.
    const triage = run(
      "triage",
      "--json",
      path.join(repoRoot, "fixtures", "pe", "signed-valid-timestamped-x64.dll"),
    );
    assert.doesNotMatch(triage.stderr, /internal error/);
    assert.match(triage.stdout, /"signature"/);
  });
});
