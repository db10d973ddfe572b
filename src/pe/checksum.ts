/**
 * The PE image checksum as the Windows loader and `imagehlp!CheckSumMappedFile` compute it:
 * a ones'-complement sum of the file's little-endian words (a short tail padded with zeros),
 * with the 4-byte CheckSum field treated as zero, carries folded back into 16 bits, plus the
 * file length in bytes.
 *
 * We sum 32-bit words and fold 32 → 16 bits, as pefile `generate_checksum` does: an
 * end-around-carry sum only depends on the total modulo 2^16 − 1, which divides 2^32 − 1, so
 * this equals the 16-bit word sum of the specification, and is about 4× faster in JavaScript.
 *
 * Source: PE/COFF specification, optional header "CheckSum"
 * (https://learn.microsoft.com/en-us/windows/win32/debug/pe-format); osslsigncode
 * `pe_calc_realchecksum` (https://github.com/mtrojnar/osslsigncode), pefile `generate_checksum`
 * (https://github.com/erocarrera/pefile).
 */

/** Words summed exactly before folding: 2^20 words × (2^32 − 1) < 2^53. */
const CHUNK_WORDS = 1 << 20;
const TWO_32 = 0x1_0000_0000;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fold32(x: number): number {
  // Terminates: each step strictly shrinks a value above 2^32 − 1.
  while (x >= TWO_32) x = (x % TWO_32) + Math.floor(x / TWO_32);
  return x;
}

/**
 * The exact sum of `words[start..end)` (at most {@link CHUNK_WORDS} words, so below 2^53). Four
 * running sums, not one: each addition waits for the one before it in its own sum only, so
 * four proceed at once (about 2.5× faster); integer sums below 2^53 are exact in any order.
 */
function sumWords(words: Uint32Array, start: number, end: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = start;
  for (; i + 3 < end; i += 4) {
    a += words[i]!;
    b += words[i + 1]!;
    c += words[i + 2]!;
    d += words[i + 3]!;
  }
  for (; i < end; i++) a += words[i]!;
  return a + b + c + d;
}

/**
 * The checksum of a file fed in order, chunk by chunk (the one walk over a file's bytes,
 * ./byte-walk.ts): every chunk but the last must be a multiple of 4 bytes long, so words never
 * straddle two chunks.
 */
export class PeChecksumAccumulator {
  readonly #checkSumOffset: number;
  /** Bytes added so far (the file offset of the next chunk). */
  #length = 0;
  #acc = 0;
  /** Set once a chunk whose length is not a multiple of 4 (the file's tail) was added. */
  #ended = false;

  /** @param checkSumOffset - as for {@link computePeChecksum}. */
  constructor(checkSumOffset: number) {
    this.#checkSumOffset = checkSumOffset;
  }

  /**
   * Adds the file's next bytes.
   * @param wordSum - the exact sum of `chunk`'s little-endian u32 words `[start, end)`, when the
   *   caller has a faster one (the walk's WebAssembly kernel, ./byte-kernels.ts, holding `chunk`).
   * @throws RangeError when a chunk follows one whose length was not a multiple of 4.
   */
  add(chunk: Uint8Array, wordSum?: (start: number, end: number) => number): void {
    if (this.#ended) throw new RangeError("PeChecksumAccumulator: a chunk after the file's tail");
    const base = this.#length;
    const n = chunk.length;
    const wordCount = n >>> 2;
    const aligned = LITTLE_ENDIAN_HOST && chunk.byteOffset % 4 === 0;
    const words = aligned ? new Uint32Array(chunk.buffer, chunk.byteOffset, wordCount) : undefined;
    const view = aligned ? undefined : new DataView(chunk.buffer, chunk.byteOffset, n);
    const field = this.#checkSumOffset - base;
    let acc = this.#acc;
    for (let start = 0; start < wordCount; start += CHUNK_WORDS) {
      const end = Math.min(wordCount, start + CHUNK_WORDS);
      let s = 0;
      if (wordSum !== undefined) s = wordSum(start, end);
      else if (words !== undefined) s = sumWords(words, start, end);
      else for (let i = start; i < end; i++) s += view!.getUint32(i * 4, true);
      // Treat the CheckSum field as zero: remove its bytes' contributions from this run's exact
      // sum (which includes them, so it stays non-negative). `base` is a multiple of 4.
      for (let p = Math.max(field, start * 4); p < Math.min(field + 4, end * 4); p++)
        s -= chunk[p]! * 256 ** (p & 3);
      acc = fold32(acc + s);
    }
    // Tail bytes (n % 4), as a zero-padded word, minus any CheckSum byte.
    for (let p = wordCount * 4; p < n; p++) {
      if (p < field || p >= field + 4) acc += chunk[p]! * 256 ** (p & 3);
    }
    this.#acc = acc;
    this.#length = base + n;
    if (n % 4 !== 0) this.#ended = true;
  }

  /** The checksum of the bytes added (a 32-bit unsigned number). */
  value(): number {
    let x = fold32(this.#acc);
    // 32 → 16 bits, end-around carry (terminates as fold32 does).
    while (x > 0xffff) x = (x % 0x10000) + Math.floor(x / 0x10000);
    return (x + this.#length) >>> 0;
  }
}

/**
 * @param bytes - the whole file.
 * @param checkSumOffset - file offset of the CheckSum field (optional header + 64); the 4 bytes
 *   there are treated as zero (also when unaligned or partly past EOF). Pass a value outside the
 *   file to skip nothing.
 * @returns the checksum (a 32-bit unsigned number).
 */
export function computePeChecksum(bytes: Uint8Array, checkSumOffset: number): number {
  const sum = new PeChecksumAccumulator(checkSumOffset);
  sum.add(bytes);
  return sum.value();
}
