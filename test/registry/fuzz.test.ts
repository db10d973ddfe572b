/**
 * Fuzz: every fixture hive truncated at many offsets and mutated at random (seeded PRNG, thousands
 * of cases), parsed in strict and permissive mode with a full walk (keys, values, security) and an
 * export. The only acceptable failure is a RegistryError; the slowest case is reported,
 * not asserted (timing goals live in bench/). The `.reg` parser gets the same treatment on the fixture sources.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import {
  RegistryError,
  computeBaseBlockChecksum,
  exportHiveAsReg,
  openHive,
  parseRegFile,
  walkHive,
  type HiveMode,
} from "../../src/registry/index.js";
import { fixtureHives, hiveFixtureDir, prng } from "./helpers.js";

/** Opens, walks and exports `bytes`; returns how far it got. Throws anything that is not a RegistryError. */
function exercise(bytes: Uint8Array, mode: HiveMode): "opened" | "rejected" {
  try {
    const h = openHive(bytes, { mode });
    walkHive(h, ({ key }) => {
      void key.name;
      void key.lastWritten;
      key.values();
      key.security();
    });
    exportHiveAsReg(h);
    return "opened";
  } catch (e) {
    if (e instanceof RegistryError) {
      assert.equal(typeof e.code, "string");
      return "rejected";
    }
    throw e;
  }
}

/** Slowest case so far, for the diagnostics. */
let slowestMs = 0;
let slowestLabel = "";

function timed(label: string, fn: () => void): void {
  const t0 = performance.now();
  fn();
  const ms = performance.now() - t0;
  if (ms > slowestMs) [slowestMs, slowestLabel] = [ms, label];
}

function setChecksum(b: Uint8Array): void {
  if (b.length >= 512)
    new DataView(b.buffer, b.byteOffset).setUint32(508, computeBaseBlockChecksum(b.subarray(0, 508)), true);
}

describe("fuzz: hive parser", () => {
  const hives = fixtureHives.map((n) => ({
    name: n,
    bytes: new Uint8Array(readFileSync(path.join(hiveFixtureDir, n))),
  }));

  it("truncation at many offsets: only RegistryError or partial results", (t) => {
    let cases = 0;
    let permissiveOpened = 0;
    for (const { name, bytes } of hives) {
      const offsets = new Set<number>();
      for (let o = 0; o < bytes.length; o += 61) offsets.add(o);
      for (const edge of [
        0,
        1,
        4,
        507,
        508,
        512,
        4095,
        4096,
        4097,
        4128,
        4200,
        8191,
        8192,
        bytes.length - 1,
      ]) {
        if (edge >= 0 && edge < bytes.length) offsets.add(edge);
      }
      for (const o of offsets) {
        const cut = bytes.subarray(0, o);
        for (const mode of ["strict", "permissive"] as const) {
          timed(`${name} cut at ${o} (${mode})`, () => {
            if (exercise(cut, mode) === "opened" && mode === "permissive") permissiveOpened++;
          });
          cases++;
        }
      }
    }
    t.diagnostic(
      `${cases} truncation cases, ${permissiveOpened} opened permissively, slowest ${slowestMs.toFixed(1)} ms (${slowestLabel})`,
    );
    assert.ok(cases > 2000, `${cases} cases`);
    assert.ok(permissiveOpened > 0, "permissive mode gives partial results for some truncations");
  });

  it("random byte mutations (seeded): only RegistryError or partial results", (t) => {
    const rnd = prng(0x6b6f6666);
    const special = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe];
    let cases = 0;
    const outcomes = { opened: 0, rejected: 0 };
    for (const { name, bytes } of hives) {
      for (let n = 0; n < 700; n++) {
        const b = bytes.slice();
        const edits = 1 + (rnd() % 8);
        for (let e = 0; e < edits; e++) {
          // Mostly the hive bins (where the cells are), sometimes the base block.
          const at = rnd() % 10 === 0 ? rnd() % 512 : 4096 + (rnd() % (b.length - 4096));
          b[at] = rnd() % 3 === 0 ? special[rnd() % special.length]! : rnd() & 0xff;
        }
        if (rnd() % 4 !== 0) setChecksum(b); // usually keep the checksum valid so strict mode goes deeper
        const mode: HiveMode = n % 2 === 0 ? "strict" : "permissive";
        timed(`${name} mutation #${n} (${mode})`, () => {
          outcomes[exercise(b, mode)]++;
        });
        cases++;
      }
    }
    t.diagnostic(
      `${cases} mutation cases ${JSON.stringify(outcomes)}, slowest ${slowestMs.toFixed(1)} ms (${slowestLabel})`,
    );
    assert.ok(cases >= 4000, `${cases} cases`);
    assert.ok(outcomes.opened > 0 && outcomes.rejected > 0, JSON.stringify(outcomes));
  });

  it("structured corruption: cell offsets pointed at every aligned position of a small hive", () => {
    const { bytes } = hives.find((h) => h.name === "ntuser-office15.hiv")!;
    const h0 = openHive(bytes);
    const rootListField = 4096 + h0.root.offset + 4 + 28;
    let cases = 0;
    for (let target = 0; target < bytes.length - 4096; target += 8) {
      const b = bytes.slice();
      new DataView(b.buffer).setUint32(rootListField, target, true);
      for (const mode of ["strict", "permissive"] as const) {
        timed(`root list -> ${target}`, () => void exercise(b, mode));
        cases++;
      }
    }
    assert.ok(cases > 1000);
  });
});

describe("fuzz: .reg parser", () => {
  const srcDir = path.join(hiveFixtureDir, "src");
  const texts = readdirSync(srcDir)
    .filter((f) => f.endsWith(".reg"))
    .map((f) => readFileSync(path.join(srcDir, f)));
  it("mutated and truncated .reg texts: only RegistryError", () => {
    const rnd = prng(42);
    const alphabet = Buffer.from('[]"\\=@-:,;()\r\n hexdword0123456789abcdef\u0000');
    let cases = 0;
    for (const t of texts) {
      for (let n = 0; n < 400; n++) {
        const b = new Uint8Array(t.length);
        b.set(t);
        const edits = 1 + (rnd() % 6);
        for (let e = 0; e < edits; e++)
          b[rnd() % b.length] = rnd() % 2 ? alphabet[rnd() % alphabet.length]! : rnd() & 0xff;
        const cut = rnd() % 3 === 0 ? b.subarray(0, rnd() % b.length) : b;
        timed(`reg mutation ${n}`, () => {
          try {
            parseRegFile(cut);
          } catch (e) {
            if (!(e instanceof RegistryError)) throw e;
            assert.equal(e.code, "reg-syntax");
            assert.ok(typeof e.line === "number" && e.line >= 1);
          }
        });
        cases++;
      }
    }
    assert.ok(cases >= 1600);
  });
});
