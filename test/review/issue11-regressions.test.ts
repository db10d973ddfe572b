/**
 * Regressions found reviewing issue 11 (these FAIL on purpose until fixed):
 * - a collector past its time limit must not turn its checks into silent passes: the checks
 *   that read its family are either run on real facts or listed in `notRun`
 *   (src/check/collect/collector.ts "never empty-and-ok"; checkMachine "never reports a check it
 *   could not run as passing");
 * - the public `repairEnvironment` must not take an image snapshot for the live machine when
 *   `imageRoot` is left out (off Windows it created a folder named `C:\ProgramData\koff-doctor`
 *   in the working directory and spawned icacls.exe).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { createSignatureVerifier } from "../../src/app/signature-verifier.js";
import { repairEnvironment } from "../../src/app/repair-environment.js";
import { gatherFacts } from "../../src/check/gather.js";
import { runChecks } from "../../src/check/run-checks.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import type { FileSystemPort } from "../../src/ports/file-system.js";
import type { Snapshot } from "../../src/ports/snapshot.js";
import { EXAMPLES } from "../helpers/repo.js";

const IMPOSTOR = path.join(EXAMPLES, "impostor-in-roaming");

describe("issue 11 review: a timed-out collector is unknown, never a pass", () => {
  it("the stray search timing out leaves stray-provider-dll in notRun (or still reported)", async () => {
    const image = createImageSnapshot(IMPOSTOR);
    const never = new Promise<undefined>(() => undefined);
    const fs: FileSystemPort = {
      stat: (p) => image.fs.stat(p),
      list: (p) => (/^C:\\ProgramData$/i.test(p) ? never : image.fs.list(p)),
      readFile: (p, max) => image.fs.readFile(p, max),
      readHead: (p, n) => image.fs.readHead(p, n),
      describe: () => image.fs.describe(),
    };
    const snapshot: Snapshot = { ...image, fs };
    const verifier = await createSignatureVerifier({ trustFiles: [], at: new Date("2026-01-01T00:00:00Z") });
    const facts = await gatherFacts(snapshot, {
      knowledge: loadKnowledge(),
      verifySignature: verifier.verify,
      timeLimitScale: 1 / 60,
    });
    assert.match(facts.unknown["strays"] ?? "", /took longer than/);
    const run = runChecks(facts);
    const reported = run.findings.some((f) => f.id === "stray-provider-dll");
    const notRun = run.notRun.some((n) => n.id === "stray-provider-dll");
    assert.ok(
      reported || notRun,
      "stray-provider-dll is neither reported nor listed as not run: a planted stray DLL passes silently",
    );
  });
});

describe(
  "issue 11 review: repairEnvironment and the live machine",
  { skip: process.platform === "win32" },
  () => {
    it("an image snapshot without imageRoot is refused off Windows, and nothing is created", async () => {
      const cwd = process.cwd();
      const dir = mkdtempSync(path.join(os.tmpdir(), "koff-review-"));
      try {
        process.chdir(dir);
        const snapshot = createImageSnapshot(IMPOSTOR);
        await assert.rejects(
          repairEnvironment(snapshot, { trustFiles: [], env: {} }),
          (e: Error & { code?: string }) => e.code === "live-unsupported" || e.code === "usage",
        );
        assert.deepEqual(readdirSync(dir), [], "nothing is written in the working directory");
      } finally {
        process.chdir(cwd);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
