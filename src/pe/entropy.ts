/**
 * Shannon entropy of a byte sequence, in bits per byte (0 to 8). One pass filling a 256-bucket
 * `Uint32Array` histogram; no copies. Matches pefile's `SectionStructure.entropy_H`.
 *
 * Source: C. E. Shannon, "A Mathematical Theory of Communication" (1948), H = −Σ p·log2 p.
 */

/** Adds the bytes of `data` to `histogram` (256 counters). Returns the number of bytes added. */
export function addToHistogram(histogram: Uint32Array, data: Uint8Array): number {
  const n = data.length;
  for (let i = 0; i < n; i++) histogram[data[i]!]!++;
  return n;
}

/** Entropy (bits per byte) of a histogram of `total` bytes; 0 when `total` is 0. */
export function entropyOfHistogram(histogram: Uint32Array, total: number): number {
  if (total <= 0) return 0;
  let h = 0;
  for (let b = 0; b < 256; b++) {
    const count = histogram[b]!;
    if (count === 0) continue;
    const p = count / total;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Shannon entropy of `data`, bits per byte: 0 for empty or constant input, 8 for uniformly
 * distributed bytes.
 */
export function shannonEntropy(data: Uint8Array): number {
  const histogram = new Uint32Array(256);
  return entropyOfHistogram(histogram, addToHistogram(histogram, data));
}
