/**
 * Numeric thresholds of triage, in one place, each with its source.
 */

/** Seed row "File size": below this is suspicious. The seed says "<100 KB"; we read KB as KiB. */
export const SMALL_FILE_BYTES = 100 * 1024;

/** Seed row "File size": above this is suspicious (">5 MB"); read as MiB. */
export const LARGE_FILE_BYTES = 5 * 1024 * 1024;

/**
 * A section whose raw data has entropy above this (bits/byte) counts as compressed or encrypted.
 * Brief §6: pefile uses 7.4 ("empirical"), the brief suggests 7.2; we use 7.2 and also require
 * the section to be a significant share of the file.
 */
export const HIGH_SECTION_ENTROPY = 7.2;

/** Share of the file (without overlay) that high-entropy sections must cover (brief §6: 20 %). */
export const HIGH_ENTROPY_SHARE = 0.2;

/**
 * Share of the file (without overlay) that *executable* sections above
 * {@link HIGH_SECTION_ENTROPY} must cover to be a strong packing signal on their own: "most of
 * the image". Compiled code sits near 6 bits/byte; only compressed or encrypted code, which a stub
 * must unpack before it runs, is that dense over that much of the file.
 */
export const HIGH_ENTROPY_CODE_SHARE = 0.5;

/** Import count below which LoadLibrary + GetProcAddress only suggest a packer stub (pefile: 20). */
export const STUB_IMPORT_COUNT = 20;

/**
 * *Weak* packing signals needed for "packed" (brief §6: label PACKED at ≥ 2 indicators). One
 * strong signal is enough on its own (src/triage/packing.ts).
 */
export const PACKED_SIGNAL_COUNT = 2;
