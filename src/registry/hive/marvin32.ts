/**
 * Marvin32, the keyed 64-bit checksum Windows uses for the two hashes of a new-format transaction
 * log entry (`HvLE`). State: two 32-bit words seeded from the 64-bit seed (low word first); each
 * little-endian 32-bit word of input is added to the low word and mixed; the 0–3 trailing bytes are
 * packed under a 0x80 terminator and mixed, then a zero word; the result is high word << 32 | low
 * word (the byte order Windows stores it in: low word first).
 *
 * Source: M. Suhanov, "Windows registry file format specification", section "Log entries", notes
 * 1–3 (the hashed ranges and the seed)
 * (https://github.com/msuhanov/regf/blob/master/Windows%20registry%20file%20format%20specification.md);
 * Microsoft SymCrypt, lib/marvin32.c (the mixing rounds, rotations 20, 9, 27, 19)
 * (https://github.com/microsoft/SymCrypt/blob/main/lib/marvin32.c); test vectors of the .NET
 * runtime's Marvin tests, as published in skeeto/marvin32 (https://github.com/skeeto/marvin32).
 */

/**
 * The seed of both hashes of a log entry: the spec's "82 EF 4D 88 7A 4E 55 C5" written as one
 * number, most significant byte first (low state word 0x7A4E55C5, high 0x82EF4D88); read the
 * other way round, no hash of a real log matches.
 */
export const HIVE_LOG_MARVIN_SEED = 0x82ef4d887a4e55c5n;

/**
 * Marvin32 of `data` with `seed`, as a 64-bit unsigned integer (high state word << 32 | low).
 * Runs in time linear in `data.length`, allocating nothing per byte.
 */
export function marvin32(data: Uint8Array, seed: bigint = HIVE_LOG_MARVIN_SEED): bigint {
  let lo = Number(seed & 0xffffffffn);
  let hi = Number((seed >> 32n) & 0xffffffffn);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const whole = data.length - (data.length % 4);
  // The mixing round is written out at each use: a call per word costs more than the round.
  for (let i = 0; i < whole; i += 4) {
    lo = (lo + view.getUint32(i, true)) >>> 0;
    hi = (hi ^ lo) >>> 0;
    lo = (((lo << 20) | (lo >>> 12)) + hi) >>> 0;
    hi = (((hi << 9) | (hi >>> 23)) ^ lo) >>> 0;
    lo = (((lo << 27) | (lo >>> 5)) + hi) >>> 0;
    hi = ((hi << 19) | (hi >>> 13)) >>> 0;
  }
  let last = 0x80;
  for (let i = data.length - 1; i >= whole; i--) last = ((last << 8) | data[i]!) >>> 0;
  for (const word of [last, 0]) {
    lo = (lo + word) >>> 0;
    hi = (hi ^ lo) >>> 0;
    lo = (((lo << 20) | (lo >>> 12)) + hi) >>> 0;
    hi = (((hi << 9) | (hi >>> 23)) ^ lo) >>> 0;
    lo = (((lo << 27) | (lo >>> 5)) + hi) >>> 0;
    hi = ((hi << 19) | (hi >>> 13)) >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}
