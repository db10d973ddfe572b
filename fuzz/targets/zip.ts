/**
 * Target `zip`: raw zip archives (the collected bundles, deflated, and a few small crafted ones)
 * mutated as bytes and opened with the bundle zip reader, every member read back. Field-aware
 * mutations hit the fields after a local header, central directory header or end-of-central-
 * directory signature (sizes, offsets, counts, name lengths, flags, method, attributes).
 *
 * Source: APPNOTE.TXT 6.3.10 §4.3.7, §4.3.12, §4.3.16.
 */
import { BundleError, openZipArchive } from "../../src/bundle/index.js";
import { INTERESTING_16, INTERESTING_32, putLe, type Rng } from "../mutate.js";
import { extraSeedFiles, startsWith, writeScratch } from "../seeds.js";
import type { FuzzTarget } from "../target.js";
import { bundleSeeds, zipMembers } from "./bundle.js";

const text = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));

/** Field offsets (from the signature) and widths of each record type. */
const RECORDS: Array<{ sig: number; fields: Array<[number, 2 | 4]> }> = [
  // Local file header: flags, method, crc, sizes, name and extra lengths.
  {
    sig: 0x04034b50,
    fields: [
      [6, 2],
      [8, 2],
      [14, 4],
      [18, 4],
      [22, 4],
      [26, 2],
      [28, 2],
    ],
  },
  // Central directory header: made-by, flags, method, crc, sizes, lengths, attributes, offset.
  {
    sig: 0x02014b50,
    fields: [
      [4, 2],
      [8, 2],
      [10, 2],
      [16, 4],
      [20, 4],
      [24, 4],
      [28, 2],
      [30, 2],
      [32, 2],
      [38, 4],
      [42, 4],
    ],
  },
  // End of central directory: disk numbers, entry counts, size, offset, comment length.
  {
    sig: 0x06054b50,
    fields: [
      [4, 2],
      [6, 2],
      [8, 2],
      [10, 2],
      [12, 4],
      [16, 4],
      [20, 2],
    ],
  },
];

function mutateZip(bytes: Uint8Array, rng: Rng): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer, out.byteOffset, out.length);
  const spots: Array<[number, 2 | 4]> = [];
  for (let i = 0; i + 4 <= out.length; i++) {
    if (out[i] !== 0x50 || out[i + 1] !== 0x4b) continue;
    const rec = RECORDS.find((r) => r.sig === v.getUint32(i, true));
    if (rec) for (const [o, w] of rec.fields) if (i + o + w <= out.length) spots.push([i + o, w]);
  }
  if (spots.length === 0) return out;
  for (let n = 1 + rng.below(2); n > 0; n--) {
    const [at, w] = rng.pick(spots);
    const old = w === 2 ? v.getUint16(at, true) : v.getUint32(at, true);
    const value = rng.chance(0.6)
      ? rng.pick(w === 2 ? INTERESTING_16 : INTERESTING_32)
      : old + rng.below(9) - 4;
    putLe(out, at, w, value >>> 0);
  }
  return out;
}

export const zipTarget: FuzzTarget = {
  name: "zip",
  typedErrors: [BundleError],
  seeds: async () => [
    ...(await bundleSeeds()),
    ...extraSeedFiles((_, head) => startsWith(head, "PK\u0003\u0004"), 64 << 20),
    zipMembers([{ name: "a.txt", data: text("hello") }], true),
    zipMembers([
      { name: "dir/", data: new Uint8Array(0) },
      { name: "dir/b.bin", data: new Uint8Array(300).fill(7) },
    ]),
  ],
  mutate: mutateZip,
  run: async (bytes) => {
    const zip = await openZipArchive(writeScratch("raw.zip", bytes));
    try {
      for (const m of zip.members.values()) if (!m.isDirectory) await zip.read(m.name);
    } finally {
      zip.close();
    }
  },
};
