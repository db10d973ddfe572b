/**
 * Findings of running the hive parser over public test hives (yarp's hives_for_tests, regipy's and
 * Registry's test data) against hivex and yarp, each reproduced here on a hive built by our writer
 * and patched byte by byte: hbin headers that are damaged in the middle of a hive, a base block
 * whose checksum is bad (its hive bins data size cannot be trusted), compressed names with bytes
 * 0x80–0xFF (Node 20's TextDecoder("latin1") happens to agree, later Node versions decode
 * Windows-1252: the parser must not depend on it), and class names.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  RegistryError,
  computeBaseBlockChecksum,
  openHive,
  walkHive,
  writeHive,
  type Hive,
  type RegTreeKey,
} from "../../src/registry/index.js";

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
const setU32 = (b: Uint8Array, at: number, v: number): void => view(b).setUint32(at, v >>> 0, true);
const fixChecksum = (b: Uint8Array): void => setU32(b, 508, computeBaseBlockChecksum(b.subarray(0, 508)));

/** Ten keys, each with a 3 000-byte value, so that the writer spreads them over several hbins. */
function manyBinsHive(): Uint8Array {
  const subkeys: RegTreeKey[] = [];
  for (let i = 0; i < 10; i++) {
    subkeys.push({
      name: `K${i}`,
      subkeys: [],
      values: [{ name: "blob", type: 3, data: new Uint8Array(3000).fill(i + 1) }],
    });
  }
  return writeHive({ name: "ROOT", subkeys, values: [] });
}

/** File offsets of the hbin headers, read from the headers themselves. */
function binOffsets(b: Uint8Array): number[] {
  const out: number[] = [];
  const end = 4096 + view(b).getUint32(40, true);
  for (let at = 4096; at < end; at += view(b).getUint32(at + 8, true)) out.push(at);
  return out;
}

/** Every key path and its values' data lengths, in walk order. */
function listing(h: Hive): string[] {
  const out: string[] = [];
  walkHive(h, ({ key }) =>
    out.push(
      `${key.path}:${key
        .values()
        .map((v) => v.data.length)
        .join(",")}`,
    ),
  );
  return out;
}

function throwsCode(fn: () => unknown, code: string, offset?: number): RegistryError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RegistryError, String(e));
    assert.equal(e.code, code, e.message);
    if (offset !== undefined) assert.equal(e.offset, offset, e.message);
    return e;
  }
  assert.fail(`expected RegistryError ${code}`);
}

describe("hbin map recovery", () => {
  const good = manyBinsHive();
  const goodListing = listing(openHive(good));
  const bins = binOffsets(good);

  it("the fixture spans several hbins", () => {
    assert.ok(bins.length >= 5, `only ${bins.length} bins`);
  });

  it("a zeroed hbin header mid-hive: strict throws; permissive skips that bin and reads the bins after it", () => {
    const b = good.slice();
    const victim = bins[2]!;
    b.fill(0, victim, victim + 32);
    throwsCode(() => openHive(b), "bad-signature", victim);
    const p = openHive(b, { mode: "permissive" });
    const got = listing(p);
    // Only what lived in the lost bin is missing; every key of the later bins is still read.
    const lost = goodListing.filter((line) => !got.includes(line));
    assert.ok(lost.length >= 1 && lost.length <= 2, `lost ${JSON.stringify(lost)}`);
    assert.ok(got.length >= goodListing.length - 2, JSON.stringify(got));
    assert.ok(got.includes(goodListing[goodListing.length - 1]!), "the last key (in the last bin) is read");
    const first = p.anomalies[0]!;
    assert.equal(first.code, "bad-signature");
    assert.equal(first.offset, victim);
    assert.match(first.message, new RegExp(`resumed at the hbin at file offset ${bins[3]}`));
  });

  it("an hbin whose only fault is its signature is kept (permissive), with one anomaly", () => {
    const b = good.slice();
    const victim = bins[1]!;
    b[victim] = 0x67; // "gbin", as in a damaged SAM seen in the wild
    throwsCode(() => openHive(b), "bad-signature", victim);
    const p = openHive(b, { mode: "permissive" });
    assert.deepEqual(listing(p), goodListing);
    assert.deepEqual(
      p.anomalies.map((a) => [a.code, a.offset]),
      [["bad-signature", victim]],
    );
  });

  it("garbage after the last bin with no later hbin: one anomaly, nothing lost", () => {
    const b = new Uint8Array(good.length + 8192);
    b.set(good);
    b.fill(0xa5, good.length);
    setU32(b, 40, b.length - 4096); // declared size covers the garbage
    fixChecksum(b);
    const p = openHive(b, { mode: "permissive" });
    assert.deepEqual(listing(p), goodListing);
    assert.equal(p.anomalies.length, 1);
    assert.match(p.anomalies[0]!.message, /no later hbin found/);
  });

  it("bad checksum: the hive bins data size comes from the file length, not the untrusted field", () => {
    const b = good.slice();
    setU32(b, 40, 4096); // an interrupted write left a stale size: only the first bin declared
    b[508] = b[508]! ^ 0xff; // and the checksum does not match
    throwsCode(() => openHive(b), "bad-checksum", 508);
    const p = openHive(b, { mode: "permissive" });
    assert.deepEqual(listing(p), goodListing);
    assert.deepEqual(
      p.anomalies.map((a) => a.code),
      ["bad-checksum"],
    );
  });

  it("a valid checksum keeps the declared size authoritative", () => {
    const b = good.slice();
    setU32(b, 40, 4096);
    fixChecksum(b);
    const p = openHive(b, { mode: "permissive" });
    assert.ok(listing(p).length < goodListing.length);
    assert.ok(p.anomalies.some((a) => a.code === "bad-cell"));
  });

  it("a hive of garbage pages after a bad first bin terminates with no readable bin", () => {
    const b = good.slice();
    b.fill(0x5a, 4096);
    throwsCode(() => openHive(b, { mode: "permissive" }), "truncated", 4096);
  });
});

describe("compressed names (nk 0x20, vk 0x0001) are ISO-8859-1", () => {
  it("bytes 0x80–0xFF become U+0080–U+00FF, not Windows-1252", () => {
    const b = writeHive({
      name: "ROOT",
      subkeys: [{ name: "Ka", subkeys: [], values: [{ name: "va", type: 4, data: new Uint8Array(4) }] }],
      values: [],
    });
    const k = openHive(b).getKey("Ka")!;
    const nameAt = 4096 + k.offset + 4 + 76;
    b[nameAt + 1] = 0x80; // "K\x80"
    const v = k.valueRecords()[0]!;
    b[4096 + v.offset + 4 + 20 + 1] = 0xe9; // "v\xE9"
    const h = openHive(b);
    const [child] = h.root.subkeys();
    assert.equal(child!.name, "K\u0080");
    assert.equal(child!.valueRecords()[0]!.name, "v\u00e9");
  });
});

describe("class names", () => {
  it("reads the class name cell (UTF-16LE, nk class length bytes); none → undefined", () => {
    const text = "JDclass";
    const utf16 = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) utf16[2 * i] = text.charCodeAt(i);
    const b = writeHive({
      name: "ROOT",
      subkeys: [{ name: "JD", subkeys: [], values: [{ name: "c", type: 3, data: utf16 }] }],
      values: [],
    });
    const h0 = openHive(b);
    const jd = h0.getKey("JD")!;
    assert.equal(jd.className, undefined);
    const dataCell = view(b).getUint32(4096 + jd.valueRecords()[0]!.offset + 4 + 8, true);
    const nk = 4096 + jd.offset + 4;
    setU32(b, nk + 48, dataCell);
    view(b).setUint16(nk + 74, 8, true); // 4 characters of the 7
    assert.equal(openHive(b).getKey("JD")!.className, "JDcl");
    view(b).setUint16(nk + 74, 4000, true); // longer than its cell
    throwsCode(() => openHive(b).getKey("JD")!.className, "truncated");
    const p = openHive(b, { mode: "permissive" });
    assert.equal(p.getKey("JD")!.className, undefined);
    assert.equal(p.anomalies[0]!.code, "truncated");
  });
});

describe("walkHive over lists that repeat keys", () => {
  it("keys sharing their parent's subkey list: each key walked once, at depth 1, no growing chain", () => {
    const n = 40;
    const subkeys: RegTreeKey[] = [];
    for (let i = 0; i < n; i++) subkeys.push({ name: `K${i}`, subkeys: [], values: [] });
    const b = writeHive({ name: "ROOT", subkeys, values: [] });
    const h0 = openHive(b);
    const rootNk = 4096 + h0.root.offset + 4;
    const rootList = view(b).getUint32(rootNk + 28, true);
    // Every child now lists all its siblings (and itself) as subkeys: a dense graph of cycles in
    // which a walk that checked only popped keys grew one level and one stack frame of n per key.
    for (const child of h0.root.subkeys()) {
      const nk = 4096 + child.offset + 4;
      setU32(b, nk + 20, n);
      setU32(b, nk + 28, rootList);
    }
    const h = openHive(b, { mode: "permissive", limits: { maxAnomalies: 10_000 } });
    const depths = new Map<string, number>();
    walkHive(h, ({ key, depth }) => {
      assert.ok(!depths.has(key.path), `${key.path} walked twice`);
      depths.set(key.path, depth);
    });
    assert.equal(depths.size, n + 1);
    assert.deepEqual(new Set([...depths.values()]), new Set([0, 1]));
    assert.equal(h.anomalies.length, n * n, "each repeated listing is one cycle anomaly");
    assert.ok(h.anomalies.every((a) => a.code === "cycle"));
    assert.throws(
      () => walkHive(openHive(b), () => {}),
      (e: unknown) => e instanceof RegistryError && e.code === "cycle",
    );
  });
});
