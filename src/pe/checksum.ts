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
 * @param bytes - the whole file.
 * @param checkSumOffset - file offset of the CheckSum field (optional header + 64); the 4 bytes
 *   there are treated as zero (also when unaligned or partly past EOF). Pass a value outside the
 *   file to skip nothing.
 * @returns the checksum (a 32-bit unsigned number).
 */
export function computePeChecksum(bytes: Uint8Array, checkSumOffset: number): number {
  const n = bytes.length;
  const wordCount = n >>> 2;
  const aligned = LITTLE_ENDIAN_HOST && bytes.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(bytes.buffer, bytes.byteOffset, wordCount) : undefined;
  const view = aligned ? undefined : new DataView(bytes.buffer, bytes.byteOffset, n);
  let acc = 0;
  for (let start = 0; start < wordCount; start += CHUNK_WORDS) {
    const end = Math.min(wordCount, start + CHUNK_WORDS);
    let s = 0;
    if (words !== undefined) for (let i = start; i < end; i++) s += words[i]!;
    else for (let i = start; i < end; i++) s += view!.getUint32(i * 4, true);
    // Treat the CheckSum field as zero: remove its bytes' contributions from this chunk's exact
    // sum (which includes them, so it stays non-negative).
    for (let p = Math.max(checkSumOffset, start * 4); p < Math.min(checkSumOffset + 4, end * 4); p++)
      s -= bytes[p]! * 256 ** (p & 3);
    acc = fold32(acc + s);
  }
  // Tail bytes (n % 4), as a zero-padded word, minus any CheckSum byte.
  for (let p = wordCount * 4; p < n; p++) {
    if (p < checkSumOffset || p >= checkSumOffset + 4) acc += bytes[p]! * 256 ** (p & 3);
  }
  let x = fold32(acc);
  // 32 → 16 bits, end-around carry (terminates as fold32 does).
  while (x > 0xffff) x = (x % 0x10000) + Math.floor(x / 0x10000);
  return (x + n) >>> 0;
}
