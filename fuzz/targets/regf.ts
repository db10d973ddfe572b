/**
 * Target `regf`: registry hive files from fixtures/hives and the examples, opened strict and
 * permissive, walked (names, times, values, security) and exported as `.reg`. Field-aware
 * mutations hit the cell framing: a cell's size, a 32-bit field inside a cell set to another
 * cell's offset (a wrong-type or misaligned reference), a hive bin's header, the base block's
 * root cell offset and bins size; the base block checksum is recomputed most of the time so
 * strict mode gets past it.
 *
 * Source: "Windows registry file format specification" (msuhanov), base block, hive bins, cells.
 */
import path from "node:path";
import {
  RegistryError,
  computeBaseBlockChecksum,
  exportHiveAsReg,
  openHive,
  walkHive,
} from "../../src/registry/index.js";
import { INTERESTING_32, putLe, type Rng } from "../mutate.js";
import { EXAMPLES, FIXTURES, extraSeedFiles, readSeedFiles, startsWith } from "../seeds.js";
import type { FuzzTarget } from "../target.js";

const BINS = 4096;

/** File offsets of the cells of `b` (walking the hive bins as they are framed), up to 4096. */
function cells(b: Uint8Array): number[] {
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const out: number[] = [];
  for (let bin = BINS; bin + 32 <= b.length && out.length < 4096;) {
    if (v.getUint32(bin, false) !== 0x6862696e) break; // "hbin"
    const size = v.getUint32(bin + 8, true);
    if (size < 4096 || bin + size > b.length) break;
    for (let c = bin + 32; c + 4 <= bin + size && out.length < 4096;) {
      out.push(c);
      const s = Math.abs(v.getInt32(c, true));
      if (s < 8 || s % 8 !== 0) break;
      c += s;
    }
    bin += size;
  }
  return out;
}

/** Recomputes the base block's XOR-32 checksum (offset 508). */
export function fixChecksum(b: Uint8Array): void {
  if (b.length >= 512) putLe(b, 508, 4, computeBaseBlockChecksum(b.subarray(0, 508)));
}

/** One field-aware mutation of a hive file. */
export function mutateHive(bytes: Uint8Array, rng: Rng): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer, out.byteOffset, out.length);
  const list = cells(out);
  for (let n = 1 + rng.below(3); n > 0; n--) {
    const kind = list.length === 0 ? 3 : rng.below(5);
    if (kind === 0) {
      // The cell size: extreme, sign flipped, or slightly off.
      const c = rng.pick(list);
      const s = v.getInt32(c, true);
      const choice = rng.below(3);
      v.setInt32(
        c,
        choice === 0 ? rng.pick(INTERESTING_32) | 0 : choice === 1 ? -s : s + (rng.below(5) - 2) * 8,
        true,
      );
    } else if (kind === 1 || kind === 2) {
      // A field inside a cell (offsets to subkey lists, values, security, class, data, counts).
      const c = rng.pick(list);
      const size = Math.min(Math.abs(v.getInt32(c, true)), 256);
      const at = c + 4 + 4 * rng.below(Math.max(1, (size - 4) >> 2));
      if (at + 4 > out.length) continue;
      const target = rng.pick(list) - BINS;
      const value =
        kind === 1
          ? rng.pick([target, target + 4, target - 8, target + 1, 0xffffffff, 0, 0x7ffffff8])
          : rng.pick(INTERESTING_32);
      v.setUint32(at, value >>> 0, true);
    } else if (kind === 3) {
      // Base block: root cell offset (36), hive bins data size (40), sequence numbers (4, 8).
      const at = rng.pick([4, 8, 36, 40]);
      if (at + 4 > out.length) continue;
      v.setUint32(
        at,
        rng.chance(0.5) ? rng.pick(INTERESTING_32) : rng.pick(list.length ? list : [BINS + 32]) - BINS,
        true,
      );
    } else {
      // A hive bin header: its offset field (4) or size (8).
      const bins: number[] = [];
      for (const c of list) bins.push(c - ((c - BINS) % 4096));
      const bin = rng.pick(bins.length ? bins : [BINS]);
      if (bin + 12 > out.length) continue;
      v.setUint32(bin + rng.pick([4, 8]), rng.pick(INTERESTING_32), true);
    }
  }
  if (rng.chance(0.8)) fixChecksum(out);
  return out;
}

/** Opens, walks and exports `bytes` in `mode`. */
function exercise(bytes: Uint8Array, mode: "strict" | "permissive"): void {
  const hive = openHive(bytes, { mode });
  walkHive(hive, ({ key }) => {
    void key.name;
    void key.lastWritten;
    key.values();
    key.security();
  });
  exportHiveAsReg(hive);
}

export const regfTarget: FuzzTarget = {
  name: "regf",
  weight: 10,
  typedErrors: [RegistryError],
  seeds: () => [
    ...readSeedFiles(path.join(FIXTURES, "hives"), /\.hiv$/i),
    ...readSeedFiles(EXAMPLES, /^(NTUSER\.DAT|SOFTWARE|SYSTEM)$/i),
    ...extraSeedFiles((_, head) => startsWith(head, "regf")),
  ],
  mutate: (bytes, rng) => mutateHive(bytes, rng),
  run: (bytes) => {
    try {
      exercise(bytes, "strict");
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
    }
    exercise(bytes, "permissive");
  },
};
