/**
 * Record and replay, port by port: what a recording port saw is what the bundle's replaying
 * port answers (subkey lists and order, values, users; stats, listings, contents, heads and the
 * `maxBytes` refusal), and nothing more.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryFileSystem } from "../../src/adapters/fake/memory-file-system.js";
import { BundleFileSystem } from "../../src/adapters/bundle/bundle-file-system.js";
import { createBundleRegistryPort } from "../../src/adapters/bundle/bundle-registry.js";
import {
  recordingFileSystem,
  recordingRegistry,
  serializeFileSystem,
  serializeRegistry,
  type RecordedFileSystem,
  type RecordedRegistry,
} from "../../src/bundle/index.js";
import { createMemoryRegistryPort } from "../../src/adapters/fake/memory-registry-port.js";

describe("registry record and replay", () => {
  it("replays read keys with all values and every listed subkey, in order; unread keys stay empty", async () => {
    const source = createMemoryRegistryPort({
      "HKU\\alice\\Software\\P\\zeta": { A: "1" },
      "HKU\\alice\\Software\\P\\alpha": { B: 2, C: ["x", "y"], D: new Uint8Array([1, 2, 3]) },
      "HKU\\alice\\Software\\P\\mid": { E: "secret not read" },
      "HKLM\\SOFTWARE\\Other": { F: "never read" },
    });
    const rec: RecordedRegistry = { keys: new Map() };
    const rp = recordingRegistry(source, rec);
    const p = await rp.getKey("HKU\\alice\\Software\\P");
    const alpha = await rp.getKey("hku\\ALICE\\software\\p\\alpha");
    await rp.users();
    const { index, members } = serializeRegistry(rec);
    assert.deepEqual(
      index.hives.map((h) => h.member),
      ["registry/HKU-alice.reg"],
    );
    const replay = await createBundleRegistryPort(index, async (m) => members.get(m)!, "bundle x");
    assert.deepEqual((await replay.getKey("HKU\\alice\\Software\\P"))?.subkeys, p?.subkeys);
    const a = await replay.getKey("HKU\\alice\\Software\\P\\alpha");
    assert.deepEqual(
      a?.values.map((v) => [v.name, v.type, [...v.data]]),
      alpha?.values.map((v) => [v.name, v.type, [...v.data]]),
    );
    assert.deepEqual((await replay.getKey("HKU\\alice\\Software\\P\\mid"))?.values, [], "listed, not read");
    assert.equal(await replay.getKey("HKLM\\SOFTWARE\\Other"), undefined, "never read, not carried");
    assert.deepEqual(await replay.users(), await source.users());
  });
});

describe("registry record and replay: names that would break a .reg line", () => {
  it("a user's subkey or value name holding a line break forges no key or value of another hive", async () => {
    const forge = 'x]\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Forged]\r\n"Planted"="yes"\r\n[HKEY_USERS\\alice\\y';
    const source = createMemoryRegistryPort({
      [`HKU\\alice\\Software\\P\\${forge}`]: { A: "1" },
      "HKU\\alice\\Software\\P\\plain": { [`v\r\n"Planted2"="yes`]: "2", B: "3" },
      "HKLM\\SOFTWARE\\Real": { C: "4" },
    });
    const rec: RecordedRegistry = { keys: new Map() };
    const rp = recordingRegistry(source, rec);
    await rp.getKey("HKU\\alice\\Software\\P");
    await rp.getKey(`HKU\\alice\\Software\\P\\${forge}`);
    await rp.getKey("HKU\\alice\\Software\\P\\plain");
    await rp.getKey("HKLM\\SOFTWARE\\Real");
    const { index, members } = serializeRegistry(rec);
    const replay = await createBundleRegistryPort(index, async (m) => members.get(m)!, "bundle x");
    assert.equal(await replay.getKey("HKLM\\SOFTWARE\\Forged"), undefined, "no key forged");
    const plain = await replay.getKey("HKU\\alice\\Software\\P\\plain");
    assert.deepEqual(
      plain?.values.map((v) => v.name),
      ["B"],
      "no value forged",
    );
    assert.deepEqual(
      (await replay.getKey("HKLM\\SOFTWARE\\Real"))?.values.map((v) => v.name),
      ["C"],
    );
  });
});

describe("file-system record and replay", () => {
  it("answers recorded stats, listings, contents and heads, derives stats from listings, honours maxBytes", async () => {
    const source = new MemoryFileSystem({
      "C:\\App\\a.dll": new Uint8Array(100).fill(7),
      "C:\\App\\b.txt": "hello",
      "C:\\App\\big.fdb": new Uint8Array(10_000).fill(1),
      "C:\\App\\unread.bin": "x",
    });
    const rec: RecordedFileSystem = new Map();
    const fs = recordingFileSystem(source, rec);
    await fs.list("C:\\App");
    await fs.readFile("C:\\App\\a.dll");
    await fs.readHead("C:\\App\\big.fdb", 16);
    await fs.stat("C:\\Missing");
    const { index, members } = serializeFileSystem(rec, 16 * 1024 * 1024);
    const replay = new BundleFileSystem(index, async (m) => members.get(m)!, "bundle x");
    assert.deepEqual(
      (await replay.list("c:\\app"))?.map((e) => [e.name, e.kind, e.size]),
      (await source.list("C:\\App"))?.map((e) => [e.name, e.kind, e.size]),
    );
    assert.deepEqual(
      await replay.stat("C:\\App\\b.txt"),
      await source.stat("C:\\App\\b.txt"),
      "from the listing",
    );
    assert.equal(await replay.stat("C:\\Missing"), undefined);
    assert.deepEqual(
      [...(await replay.readFile("C:\\APP\\A.DLL"))!],
      [...(await source.readFile("C:\\App\\a.dll"))!],
    );
    assert.equal(await replay.readFile("C:\\App\\a.dll", 99), undefined, "larger than maxBytes");
    assert.equal(await replay.readFile("C:\\App\\b.txt"), undefined, "listed but never read: not carried");
    assert.deepEqual([...(await replay.readHead("C:\\App\\big.fdb", 8))!], [1, 1, 1, 1, 1, 1, 1, 1]);
    assert.equal(await replay.readFile("C:\\App\\big.fdb"), undefined, "only the head was read");
  });

  it("lists files over the cap as omitted instead of carrying them", async () => {
    const rec: RecordedFileSystem = new Map();
    const fs = recordingFileSystem(new MemoryFileSystem({ "C:\\x.dll": new Uint8Array(2000) }), rec);
    await fs.readFile("C:\\x.dll");
    const { index, members } = serializeFileSystem(rec, 1000);
    assert.equal(members.size, 0);
    const replay = new BundleFileSystem(index, async (m) => members.get(m)!, "bundle x");
    assert.deepEqual(replay.omitted(), [{ path: "C:\\x.dll", reason: "over the 1000-byte cap" }]);
    assert.equal(await replay.readFile("C:\\x.dll"), undefined);
  });
});
