/**
 * The read caps of koff-doctor, in one place: how many bytes each kind of user-named or image
 * file may be, and how many entries a walk may visit. Every file read goes through
 * {@link readUserFile} (src/util/safe-file.ts) with one of these caps, which reads at most
 * cap + 1 bytes and never trusts the size `stat` reports (`/proc` files report 0).
 *
 * Caps of structures inside a file live next to their parser: zip members and bundle JSON in
 * src/bundle/limits.ts, hive cells and value data in src/registry/hive/limits.ts, PE tables in
 * src/pe/limits.ts.
 *
 * Source: docs/exit-codes.md ("Inputs that are not files").
 */

/** One mebibyte, in bytes. */
export const MiB = 1024 * 1024;

/** One gibibyte, in bytes. */
export const GiB = 1024 * MiB;

/** The read caps, in bytes unless the name says otherwise. */
export const READ_LIMITS = {
  /**
   * Largest PE image read whole: `triage PATH`, the binaries `check` judges, image and live
   * file-system reads. KOFF's provider DLLs are a few MiB; Windows loads nothing near this.
   */
  peFileBytes: 256 * MiB,
  /** Largest `--trust FILE` (PEM or DER). A full Mozilla bundle is about 220 KiB. */
  trustFileBytes: 16 * MiB,
  /**
   * Largest registry hive file: `registry export HIVE` and the hives of `--image DIR`.
   * A busy SOFTWARE hive is a few hundred MiB; regf addresses at most 4 GiB.
   */
  hiveFileBytes: 1 * GiB,
  /**
   * Largest `--bundle FILE.zip`. The reader accepts at most 128 MiB of declared members
   * (src/bundle/limits.ts); this bounds the archive with headers and slack.
   */
  bundleFileBytes: 256 * MiB,
  /** Most files one `triage -r` walk yields (bounded memory for a mistaken `triage -r /`). */
  walkFiles: 100_000,
  /**
   * Largest module read beside a triaged file for the side-loading search (its import table
   * only); larger ones are reported as not read.
   */
  siblingModuleBytes: 64 * MiB,
  /** Most modules read per folder for the side-loading search; more are reported as not read. */
  siblingModules: 128,
  /** Most entries one `check` walk of a folder (an install folder, a cache) lists. */
  checkWalkEntries: 20_000,
  /** Most entries the whole search for stray provider DLLs lists. */
  strayWalkEntries: 100_000,
} as const;

/** The name of one read cap. */
export type ReadLimitName = keyof typeof READ_LIMITS;
