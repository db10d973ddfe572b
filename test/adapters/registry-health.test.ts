/**
 * `RegistryPort.health()`: the hive files a source opened, with their damage. The image port
 * reports a damaged hive, `check` turns it into an unknown note and a damaged user, the recording
 * proxy of `collect` passes it through, and sources without hive files answer `[]`.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  createMemoryRegistryPort,
  createRegFileRegistryPort,
  HiveRegistryPort,
  openSource,
  RegExeRegistry,
} from "../../src/adapters/index.js";
import { checkMachine } from "../../src/app/check-machine.js";
import { recordingRegistry } from "../../src/bundle/index.js";
import { computeBaseBlockChecksum } from "../../src/registry/index.js";
import { copyImage } from "../helpers/image-copy.js";
import { EXAMPLES } from "../helpers/repo.js";

describe("RegistryPort.health", () => {
  let root: string;
  let image: string;
  before(() => {
    ({ root, image } = copyImage("healthy"));
    // Byte 100 lies in the base block's file-name field: only the checksum (offset 508) breaks,
    // which the permissive parser records as an anomaly and reads on.
    const file = path.join(image, "Users", "alice", "NTUSER.DAT");
    const bytes = readFileSync(file);
    bytes[100] = bytes[100]! ^ 0x5a;
    writeFileSync(file, bytes);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("the image port reports each opened hive, clean or damaged, and nothing before a read", async () => {
    const reg = new HiveRegistryPort(image);
    assert.deepEqual(await reg.health(), []);
    await reg.getKey("HKLM\\SOFTWARE\\Microsoft");
    await reg.getKey("HKU\\alice\\Software");
    const health = await reg.health();
    assert.deepEqual(
      health.map((h) => [h.mount, h.anomalies.map((a) => [a.code, a.offset])]),
      [
        ["HKLM\\SOFTWARE", []],
        ["HKU\\alice", [["bad-checksum", 508]]],
      ],
    );
    assert.ok(health.every((h) => h.dirty === false && path.isAbsolute(h.file)));
    assert.deepEqual(await reg.openedHives(), health);
  });

  it("check names the damaged user hive (through health(), not a cast)", async () => {
    const { snapshot } = await openSource({ image });
    const report = await checkMachine(snapshot, { at: new Date("2026-11-21T00:00:00Z") });
    assert.deepEqual(report.facts.damagedUserHives, ["alice"]);
    assert.match(
      report.facts.unknown["hive:HKU\\alice"] ?? "",
      /^damaged hive \(1 anomalies, first: bad-checksum\)/,
    );
    const clean = await checkMachine((await openSource({ image: path.join(EXAMPLES, "healthy") })).snapshot, {
      at: new Date("2026-11-21T00:00:00Z"),
    });
    assert.deepEqual(clean.facts.damagedUserHives, []);
  });

  it("check names a dirty user hive (sequence numbers differ) even when it has no anomaly", async () => {
    const { root: dirtyRoot, image: dirtyImage } = copyImage("healthy");
    try {
      const file = path.join(dirtyImage, "Users", "alice", "NTUSER.DAT");
      const bytes = readFileSync(file);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      view.setUint32(4, view.getUint32(8, true) + 1, true); // primary sequence = secondary + 1
      view.setUint32(508, computeBaseBlockChecksum(bytes.subarray(0, 508)), true);
      writeFileSync(file, bytes);
      const { snapshot } = await openSource({ image: dirtyImage });
      const report = await checkMachine(snapshot, { at: new Date("2026-11-21T00:00:00Z") });
      const alice = (await snapshot.registry.health()).find((h) => h.mount === "HKU\\alice");
      assert.deepEqual([alice?.dirty, alice?.anomalies], [true, []]);
      assert.deepEqual(report.facts.damagedUserHives, ["alice"]);
      assert.match(
        report.facts.unknown["hive:HKU\\alice"] ?? "",
        /^dirty hive \(its \.LOG1\/\.LOG2 changes are not applied\)/,
      );
    } finally {
      rmSync(dirtyRoot, { recursive: true, force: true });
    }
  });

  it("the recording proxy of collect answers what its source answers", async () => {
    const inner = new HiveRegistryPort(image);
    const rec = recordingRegistry(inner, { keys: new Map() });
    await rec.getKey("HKU\\alice\\Software");
    assert.deepEqual(await rec.health(), await inner.health());
    assert.equal((await rec.health()).length, 1);
  });

  it("sources without hive files answer []", async () => {
    const ports = [
      createMemoryRegistryPort({ "HKLM\\SOFTWARE\\X": { A: 1 } }),
      createRegFileRegistryPort([{ name: "a.reg", content: "Windows Registry Editor Version 5.00\r\n" }]),
      new RegExeRegistry({ exec: async () => ({ stdout: "", stderr: "", code: 0 }) }),
    ];
    for (const p of ports) {
      await p.getKey("HKLM\\SOFTWARE\\X");
      assert.deepEqual(await p.health(), [], p.describe());
    }
  });
});
