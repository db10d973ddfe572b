/**
 * Generic byte-level mutations for the fuzz harness: bit flips, interesting values (0, 0x7F, 0x80,
 * 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF… as LE 8/16/32), chunk delete/duplicate/insert, truncation,
 * splicing with another seed. Every choice comes from the case's seeded {@link Rng}, so a case is
 * reproduced by its seed and index alone.
 */
import { seededUint32 } from "../test/helpers/prng.js";

/** The case's random source. */
export interface Rng {
  /** A uniform 32-bit unsigned integer. */
  u32(): number;
  /** An integer in [0, n) (0 when n ≤ 0). */
  below(n: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

export function createRng(seed: number): Rng {
  const next = seededUint32(seed);
  const rng: Rng = {
    u32: next,
    below: (n) => (n <= 0 ? 0 : Math.floor((next() / 4294967296) * n)),
    chance: (p) => next() / 4294967296 < p,
    pick: (items) => items[rng.below(items.length)]!,
  };
  return rng;
}

/** FNV-1a over a string: mixes the run seed, target name and case index into one case seed. */
export function caseSeed(seed: number, target: string, index: number): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const ch of `${target}#${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
}

export const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff];
export const INTERESTING_16 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff];
export const INTERESTING_32 = [
  0, 1, 8, 0x7f, 0x80, 0xff, 0x1000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff,
];

/** Writes `value` as an unsigned LE integer of `width` bytes at `at` (clipped to the array). */
export function putLe(bytes: Uint8Array, at: number, width: 1 | 2 | 4, value: number): void {
  for (let i = 0; i < width && at + i < bytes.length; i++)
    if (at + i >= 0) bytes[at + i] = (value >>> (8 * i)) & 0xff;
}

/** An offset in `bytes`, biased to the first KiB (headers) half the time. */
function offsetIn(rng: Rng, length: number): number {
  return rng.below(rng.chance(0.5) ? Math.min(length, 1024) : length);
}

/** Largest input a mutation may produce: growth is capped so inputs stay small. */
const MAX_GROWTH = 64 * 1024;

/** One generic mutation of `bytes` (a new array; the input is not changed). */
export type Mutation = (bytes: Uint8Array, rng: Rng, seeds: readonly Uint8Array[]) => Uint8Array;

export const GENERIC_MUTATIONS: ReadonlyArray<{ name: string; apply: Mutation }> = [
  {
    name: "bit-flip",
    apply: (b, rng) => {
      const out = b.slice();
      if (out.length === 0) return out;
      for (let n = 1 + rng.below(8); n > 0; n--) {
        const at = offsetIn(rng, out.length);
        out[at] = out[at]! ^ (1 << rng.below(8));
      }
      return out;
    },
  },
  {
    name: "random-bytes",
    apply: (b, rng) => {
      const out = b.slice();
      if (out.length === 0) return out;
      for (let n = 1 + rng.below(4); n > 0; n--) out[offsetIn(rng, out.length)] = rng.below(256);
      return out;
    },
  },
  {
    name: "interesting-value",
    apply: (b, rng) => {
      const out = b.slice();
      if (out.length === 0) return out;
      const width = rng.pick([1, 2, 4] as const);
      const table = width === 1 ? INTERESTING_8 : width === 2 ? INTERESTING_16 : INTERESTING_32;
      const at = offsetIn(rng, out.length);
      putLe(out, rng.chance(0.5) ? at & ~(width - 1) : at, width, rng.pick(table));
      return out;
    },
  },
  {
    name: "chunk-delete",
    apply: (b, rng) => {
      if (b.length === 0) return b.slice();
      const at = offsetIn(rng, b.length);
      const len = 1 + rng.below(Math.min(b.length - at, rng.chance(0.7) ? 16 : 4096));
      const out = new Uint8Array(b.length - len);
      out.set(b.subarray(0, at));
      out.set(b.subarray(at + len), at);
      return out;
    },
  },
  {
    name: "chunk-duplicate",
    apply: (b, rng) => {
      if (b.length === 0 || b.length > MAX_GROWTH * 64) return b.slice();
      const from = rng.below(b.length);
      const len = 1 + rng.below(Math.min(b.length - from, rng.chance(0.7) ? 64 : MAX_GROWTH));
      const at = offsetIn(rng, b.length + 1);
      const out = new Uint8Array(b.length + len);
      out.set(b.subarray(0, at));
      out.set(b.subarray(from, from + len), at);
      out.set(b.subarray(at), at + len);
      return out;
    },
  },
  {
    name: "chunk-insert",
    apply: (b, rng) => {
      const len = 1 + rng.below(rng.chance(0.8) ? 16 : 1024);
      const at = offsetIn(rng, b.length + 1);
      const out = new Uint8Array(b.length + len);
      out.set(b.subarray(0, at));
      const fill = rng.chance(0.5) ? -1 : rng.pick(INTERESTING_8);
      for (let i = 0; i < len; i++) out[at + i] = fill < 0 ? rng.below(256) : fill;
      out.set(b.subarray(at), at + len);
      return out;
    },
  },
  {
    name: "truncate",
    apply: (b, rng) => b.slice(0, rng.chance(0.3) ? offsetIn(rng, b.length) : rng.below(b.length + 1)),
  },
  {
    name: "splice",
    apply: (b, rng, seeds) => {
      const other = rng.pick(seeds);
      if (other.length === 0 || b.length === 0) return b.slice();
      const cut = rng.below(b.length);
      const from = rng.below(other.length);
      const len = Math.min(other.length - from, 1 + rng.below(MAX_GROWTH));
      const keepTail = rng.chance(0.5);
      const tail = keepTail ? b.subarray(Math.min(b.length, cut + len)) : new Uint8Array(0);
      const out = new Uint8Array(cut + len + tail.length);
      out.set(b.subarray(0, cut));
      out.set(other.subarray(from, from + len), cut);
      out.set(tail, cut + len);
      return out;
    },
  },
];

/** Applies 1–4 generic mutations (stacked). */
export function mutateGeneric(bytes: Uint8Array, rng: Rng, seeds: readonly Uint8Array[]): Uint8Array {
  let out = bytes;
  for (let n = 1 + (rng.chance(0.6) ? 0 : rng.below(4)); n > 0; n--)
    out = rng.pick(GENERIC_MUTATIONS).apply(out, rng, seeds);
  return out === bytes ? bytes.slice() : out;
}
