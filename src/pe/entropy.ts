/**
 * Shannon entropy of a byte sequence, in bits per byte (0 to 8). One pass filling a 256-bucket
 * `Uint32Array` histogram; no copies. Matches pefile's `SectionStructure.entropy_H`.
 *
 * Source: C. E. Shannon, "A Mathematical Theory of Communication" (1948), H = −Σ p·log2 p.
 */

/** Four interleaved 256-bucket histograms: counting 4 bytes per step into separate tables
 * avoids store-to-load stalls on runs of equal bytes (about 2× faster than one table). */
const lanes = new Uint32Array(1024);
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Adds the bytes of `data` to `histogram` (256 counters). Returns the number of bytes added.
 * On little-endian hosts the aligned middle is read a 32-bit word at a time (one load for four
 * bytes; about 15 % faster than byte loads).
 */
export function addToHistogram(histogram: Uint32Array, data: Uint8Array): number {
  const n = data.length;
  if (n < 256) {
    for (let i = 0; i < n; i++) histogram[data[i]!]!++;
    return n;
  }
  lanes.fill(0);
  let i = 0;
  if (LITTLE_ENDIAN_HOST) {
    // Bytes before the first 4-aligned address, then whole words.
    for (const lead = (4 - (data.byteOffset & 3)) & 3; i < lead; i++) lanes[data[i]!]!++;
    const count = (n - i) >>> 2;
    const words = new Uint32Array(data.buffer, data.byteOffset + i, count);
    for (let k = 0; k < count; k++) {
      const w = words[k]!;
      lanes[w & 0xff]!++;
      lanes[256 + ((w >>> 8) & 0xff)]!++;
      lanes[512 + ((w >>> 16) & 0xff)]!++;
      lanes[768 + (w >>> 24)]!++;
    }
    i += count * 4;
  } else {
    for (const m = n & ~3; i < m; i += 4) {
      lanes[data[i]!]!++;
      lanes[256 + data[i + 1]!]!++;
      lanes[512 + data[i + 2]!]!++;
      lanes[768 + data[i + 3]!]!++;
    }
  }
  for (; i < n; i++) lanes[data[i]!]!++;
  for (let b = 0; b < 256; b++)
    histogram[b]! += lanes[b]! + lanes[256 + b]! + lanes[512 + b]! + lanes[768 + b]!;
  return n;
}

/** c·log2(c) for small counts, filled on first use (H = log2 N − Σ c·log2 c / N). */
const C_LOG_C_TABLE_SIZE = 8192;
let cLogC: Float64Array | undefined;

function countLogCount(c: number): number {
  if (c < C_LOG_C_TABLE_SIZE) {
    if (cLogC === undefined) {
      cLogC = new Float64Array(C_LOG_C_TABLE_SIZE);
      for (let i = 2; i < C_LOG_C_TABLE_SIZE; i++) cLogC[i] = i * Math.log2(i);
    }
    return cLogC[c]!;
  }
  return c * Math.log2(c);
}

/** Entropy (bits per byte) of a histogram of `total` bytes; 0 when `total` is 0. */
export function entropyOfHistogram(histogram: Uint32Array, total: number): number {
  if (total <= 0) return 0;
  let sum = 0;
  for (let b = 0; b < 256; b++) {
    const count = histogram[b]!;
    if (count !== 0) sum += countLogCount(count);
  }
  // Clamp the rounding residue of constant data (log2 N − N·log2 N / N) to exactly 0.
  return Math.max(0, Math.log2(total) - sum / total);
}

/**
 * Shannon entropy of `data`, bits per byte: 0 for empty or constant input, 8 for uniformly
 * distributed bytes.
 */
export function shannonEntropy(data: Uint8Array): number {
  const histogram = new Uint32Array(256);
  return entropyOfHistogram(histogram, addToHistogram(histogram, data));
}
