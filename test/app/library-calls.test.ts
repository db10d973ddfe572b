/**
 * The library calls refuse a wrong source before they touch anything: `repairEnvironment` takes
 * the snapshot's mode as the truth (an image needs its root, live runs on Windows only, a bundle
 * is never repaired), and `triageFile` checks `imageRoot` and `windowsPath` as `triage --image`
 * and `--as` do.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { repairEnvironment, triageFile, type Snapshot } from "../../src/index.js";
import { EXAMPLES } from "../helpers/repo.js";

const HEALTHY = path.join(EXAMPLES, "healthy");
const DLL = path.join(
  HEALTHY,
  "Program Files (x86)",
  "Kerio",
  "Outlook Connector (Offline Edition)",
  "kofmsp32.dll",
);
const scratch = mkdtempSync(path.join(os.tmpdir(), "koff-library-calls-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `work` with the working directory set to an empty scratch folder; asserts it stays empty. */
async function inEmptyCwd(work: () => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(scratch, "cwd-"));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    await work();
  } finally {
    process.chdir(cwd);
  }
  assert.deepEqual(readdirSync(dir), [], "nothing is created in the working directory");
}

const code = (expected: string) => (e: unknown) => (e as { code?: string }).code === expected;

describe("repairEnvironment", () => {
  it("refuses an image snapshot without its imageRoot, and creates nothing", async () => {
    await inEmptyCwd(() =>
      assert.rejects(
        repairEnvironment(createImageSnapshot(HEALTHY), { trustFiles: [], env: {} }),
        code("usage"),
      ),
    );
  });

  it("refuses a bundle snapshot", async () => {
    const bundle = { ...createImageSnapshot(HEALTHY), mode: "bundle" } as Snapshot;
    await inEmptyCwd(() =>
      assert.rejects(
        repairEnvironment(bundle, { imageRoot: HEALTHY, trustFiles: [], env: {} }),
        code("usage"),
      ),
    );
  });

  it("refuses a live snapshot given an imageRoot", async () => {
    const live = { ...createImageSnapshot(HEALTHY), mode: "live" } as Snapshot;
    await inEmptyCwd(() =>
      assert.rejects(repairEnvironment(live, { imageRoot: HEALTHY, trustFiles: [], env: {} }), code("usage")),
    );
  });

  it(
    "refuses a live snapshot off Windows before creating the state folder",
    { skip: process.platform === "win32" },
    async () => {
      const live = { ...createImageSnapshot(HEALTHY), mode: "live" } as Snapshot;
      await inEmptyCwd(() =>
        assert.rejects(repairEnvironment(live, { trustFiles: [], env: {} }), code("live-unsupported")),
      );
    },
  );

  it("gives an image its root and a state folder beside it", async () => {
    const state = path.join(scratch, "state");
    const env = await repairEnvironment(createImageSnapshot(HEALTHY), {
      imageRoot: HEALTHY,
      stateDir: state,
      trustFiles: [],
      env: {},
    });
    assert.equal(env.imageRoot, HEALTHY);
    assert.equal(env.stateDir, state);
    assert.equal(env.live, undefined);
  });
});

describe("triageFile's imageRoot and windowsPath", () => {
  it("judges a file of an image against its root", async () => {
    const record = await triageFile(DLL, { imageRoot: HEALTHY, systemRoots: false });
    assert.equal(
      record.windowsPath?.toLowerCase(),
      "c:\\program files (x86)\\kerio\\outlook connector (offline edition)\\kofmsp32.dll",
    );
    assert.equal(record.verdict, "clean");
  });

  it("refuses an imageRoot that is not a Windows volume", async () => {
    await assert.rejects(triageFile(DLL, { imageRoot: scratch }), code("not-an-image-root"));
  });

  it("refuses an imageRoot that is missing or a file", async () => {
    await assert.rejects(triageFile(DLL, { imageRoot: path.join(scratch, "absent") }), code("not-found"));
    const file = path.join(scratch, "a-file");
    writeFileSync(file, "x");
    await assert.rejects(triageFile(DLL, { imageRoot: file }), code("not-a-directory"));
  });

  it("refuses a windowsPath that is not a full Windows path", async () => {
    await assert.rejects(triageFile(DLL, { windowsPath: "kofmsp32.dll" }), code("not-a-windows-path"));
  });
});
