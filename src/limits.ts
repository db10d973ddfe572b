/**
 * The read caps of koff-doctor, in one place: how many bytes each kind of user-named, image,
 * bundle or tool-output input may be read whole, and how many entries a walk may visit. Every
 * file read goes through {@link readUserFile} (src/util/safe-file.ts) or a
 * {@link FileSystemPort}'s `readFile` with one of these caps, which reads at most cap + 1 bytes
 * and never trusts the size `stat` reports (`/proc` files report 0).
 *
 * Only read caps live here. Structural limits of a parser (counts, depths, cell and value sizes
 * inside a file) live next to it: src/pe/limits.ts, src/registry/hive/limits.ts,
 * src/evtx/limits.ts, the zip counts and ratio in src/bundle/limits.ts. What `collect` puts into
 * a bundle (src/bundle/limits.ts `DEFAULT_COLLECT_LIMITS`) is a write budget, not a read cap.
 *
 * Source: docs/exit-codes.md ("Inputs that are not files"); docs/bundle.md ("Caps").
 */

/** One mebibyte, in bytes. */
export const MiB = 1024 * 1024;

/** One gibibyte, in bytes. */
export const GiB = 1024 * MiB;

/** The read caps, in bytes unless the name says otherwise. */
export const READ_LIMITS = {
  /**
   * Largest PE image read whole: `triage PATH`, the binaries `check` judges, image, live and
   * bundle file-system reads without an explicit cap. KOFF's provider DLLs are a few MiB;
   * Windows loads nothing near this.
   */
  peFileBytes: 256 * MiB,
  /**
   * Largest module read when a folder is scanned for programs that import a DLL by name
   * (src/triage/sibling-loaders.ts); a larger one makes side-loading `unknown`. Smaller than
   * {@link READ_LIMITS}.peFileBytes: a folder holds up to 128 of them.
   */
  siblingModuleBytes: 64 * MiB,
  /** Largest `--trust FILE` (PEM or DER). A full Mozilla bundle is about 220 KiB. */
  trustFileBytes: 16 * MiB,
  /**
   * Largest registry hive file: `registry export HIVE`, the hives of `--image DIR`, and the
   * hive a repair step edits. A busy SOFTWARE hive is a few hundred MiB; regf addresses at most 4 GiB.
   */
  hiveFileBytes: 1 * GiB,
  /**
   * Largest transaction log (`.LOG1`, `.LOG2`) read beside a dirty hive of `--image DIR`; a larger
   * one is not replayed. A log holds the pages written since the last flush to the hive, usually a
   * few MiB; the recovered hive is still capped by `hiveFileBytes`.
   */
  hiveLogBytes: 256 * MiB,
  /** Largest MAPISVC.INF read (real ones are tens of KiB). */
  mapisvcInfBytes: 8 * MiB,
  /**
   * Largest log file `collect` reads whole to keep its tail, when the source cannot read a tail
   * in place (bundle and in-memory sources); image and live sources read only the tail.
   */
  logFileBytes: 64 * MiB,
  /**
   * Largest `--bundle FILE.zip`. The reader accepts at most
   * {@link READ_LIMITS}.bundleMembersTotalBytes of declared members; this bounds the archive
   * with headers and slack.
   */
  bundleFileBytes: 256 * MiB,
  /** Largest declared uncompressed (and compressed) size of one bundle member. */
  bundleMemberBytes: 24 * MiB,
  /** Largest sum of a bundle's declared uncompressed member sizes. */
  bundleMembersTotalBytes: 128 * MiB,
  /** Largest bundle `manifest.json` or JSON index member parsed. */
  bundleJsonBytes: 32 * MiB,
  /** Largest stdout or stderr taken from one tool run in live mode (`reg.exe`, `tasklist`, `wevtutil`). */
  execOutputBytes: 128 * MiB,
  /** Largest repair `manifest.json` read when a damaged run is surveyed (docs/runbook.md). */
  runbookManifestBytes: 64 * MiB,
  /** Longest repair-journal tail read back to find the last record's end when cutting a torn tail. */
  journalRecordBytes: 16 * MiB,
  /** Largest repair run-lock file read (a few hundred bytes of JSON). */
  runLockBytes: 64 * 1024,
  /** Most files one `triage -r` walk yields (bounded memory for a mistaken `triage -r /`). */
  walkFiles: 100_000,
  /** Largest host report (`.json`) or JSON Lines file of them `fleet ingest` reads (docs/fleet.md). */
  hostReportBytes: 256 * MiB,
  /** Most modules read per folder for the side-loading search; more are reported as not read. */
  siblingModules: 128,
  /** Most entries one `check` walk of a folder (an install folder, a cache) lists. */
  checkWalkEntries: 20_000,
  /** Most entries the whole search for stray provider DLLs lists. */
  strayWalkEntries: 100_000,
  /**
   * Most entries `collect`'s whole search for log files lists (install folders and cache roots
   * three levels deep, then the temp folders); the logs found before it stops are carried.
   */
  logWalkEntries: 20_000,
} as const;

/** The name of one read cap. */
export type ReadLimitName = keyof typeof READ_LIMITS;
