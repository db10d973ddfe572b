/**
 * Target `firebird`: the header page of the connector's cache databases (`*.fdb` of the
 * examples, and `KOFF_FUZZ_SEEDS` files whose first byte is a header page type), judged by
 * {@link readFirebirdHeader} as `check` judges a cache: the file's head with its real size, a
 * larger one (the truncation test) and zero. The reader answers problems; it never throws.
 *
 * Source: Firebird `ods.h` (header page layout), https://github.com/FirebirdSQL/firebird/blob/master/src/jrd/ods.h
 */
import { readFirebirdHeader } from "../../src/firebird/header-page.js";
import { INTERESTING_16, putLe, type Rng } from "../mutate.js";
import { EXAMPLES, extraSeedFiles, readSeedFiles } from "../seeds.js";
import type { FuzzTarget } from "../target.js";

/** Header fields worth hitting: page type, page size, ODS version, minor version, flags. */
const FIELDS: ReadonlyArray<[number, 1 | 2]> = [
  [0, 1],
  [0x10, 2],
  [0x12, 2],
  [0x3e, 2],
  [0x2a, 2],
];

export const firebirdTarget: FuzzTarget = {
  name: "firebird",
  weight: 2,
  typedErrors: [],
  seeds: () => [
    ...readSeedFiles(EXAMPLES, /\.fdb$/i).map((b) => b.slice(0, 4096)),
    ...extraSeedFiles((name, head) => /\.(fdb|gdb)$/i.test(name) && head[0] === 1, 4096),
  ],
  mutate: (bytes: Uint8Array, rng: Rng) => {
    const out = bytes.slice();
    const [at, width] = rng.pick(FIELDS);
    if (at + width <= out.length)
      putLe(out, at, width, width === 1 ? rng.below(256) : rng.pick(INTERESTING_16));
    return out;
  },
  run: (bytes) => {
    for (const size of [bytes.length, bytes.length * 3 + 1, 0])
      JSON.stringify(readFirebirdHeader(bytes, size));
  },
};
