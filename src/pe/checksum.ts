/**
 * The PE image checksum as the Windows loader and `imagehlp!CheckSumMappedFile` compute it:
 * a 16-bit ones'-complement sum of the file's little-endian words (an odd trailing byte padded
 * with zero), with the 4-byte CheckSum field treated as zero, carries folded back into 16 bits,
 * plus the file length in bytes.
 *
 * Source: PE/COFF specification, optional header "CheckSum"; authenticode-brief §2.6
 * (osslsigncode `pe_calc_realchecksum`, pefile `generate_checksum`, which sum 32-bit words and
 * fold: the same value, since both are ones'-complement sums modulo 0xFFFF).
 */

/**
 * @param bytes - the whole file.
 * @param checkSumOffset - file offset of the CheckSum field (optional header + 64); the 4 bytes
 *   there are treated as zero. Pass a value outside the file to skip nothing.
 * @returns the checksum (a 32-bit unsigned number).
 */
export function computePeChecksum(bytes: Uint8Array, checkSumOffset: number): number {
  const n = bytes.length;
  const even = n & ~1;
  // Plain JS numbers are exact up to 2^53: 2^53 / 0xFFFF words is far more than any file, so the
  // carry is folded once at the end rather than on every add.
  const quad = n & ~3;
  let low = 0;
  let high = 0;
  // Two words per step: Σ(b0 + b1·256) = Σ b0 + 256·Σ b1 (exact: < 2^53 for any file < 2^40 bytes).
  for (let i = 0; i < quad; i += 4) {
    low += bytes[i]! + bytes[i + 2]!;
    high += bytes[i + 1]! + bytes[i + 3]!;
  }
  let sum = low + high * 256;
  for (let i = quad; i < even; i += 2) sum += bytes[i]! | (bytes[i + 1]! << 8);
  if (n & 1) sum += bytes[n - 1]!;
  // Treat the CheckSum field's 4 bytes as zero: remove each byte's contribution (low byte of a
  // word at an even offset, high byte at an odd one), so an unaligned field is handled too.
  for (let i = checkSumOffset; i < checkSumOffset + 4; i++) {
    if (i < 0 || i >= n) continue;
    sum -= i & 1 ? bytes[i]! * 256 : bytes[i]!;
  }
  // Ones'-complement fold: terminates because each step strictly shrinks a sum above 0xFFFF.
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return (sum + n) >>> 0;
}
