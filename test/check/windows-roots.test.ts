/**
 * Issue "Windows state" acceptance: the certificates read from an image's SOFTWARE hive ROOT
 * store serve as Authenticode trust anchors. The sample image's binaries are signed by the test
 * PKI, whose root is only in that store (not among Node's roots, not passed with --trust).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import type { AuthenticodeResult } from "../../src/authenticode/index.js";
import { checkMachine, windowsRootAnchors } from "../../src/app/check-machine.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { EXAMPLES } from "../helpers/repo.js";

const AT = new Date("2026-11-21T00:00:00Z");

describe("Windows ROOT store as trust anchors", () => {
  it("reads the test root from the image's SOFTWARE hive", async () => {
    const anchors = await windowsRootAnchors(createImageSnapshot(path.join(EXAMPLES, "healthy")));
    assert.equal(anchors.length, 1);
    assert.equal(anchors[0]!.source, "windows-ROOT");
    assert.equal(anchors[0]!.der[0], 0x30, "a DER SEQUENCE");
  });

  it("makes the connector's signature valid; without it the root is untrusted", async () => {
    const snapshot = () => createImageSnapshot(path.join(EXAMPLES, "healthy"));
    const dll = (r: Awaited<ReturnType<typeof checkMachine>>) =>
      r.facts.triage.find((t) => t.windowsPath?.endsWith("kofmsp32.dll"))!;
    const withRoots = dll(await checkMachine(snapshot(), { at: AT }));
    assert.equal(withRoots.signature?.state, "valid");
    const details = withRoots.signature?.details as AuthenticodeResult;
    assert.equal(details.signatures[0]!.trust.anchor?.source, "windows-ROOT");
    const without = dll(await checkMachine(snapshot(), { at: AT, windowsRoots: false }));
    assert.equal(without.signature?.state, "untrusted-root");
  });
});
