/**
 * Caps of the diagnostics bundle, for writing (what `collect` puts in) and reading (what
 * `--bundle` accepts). Every count and size read from a zip is checked against these before any
 * byte is inflated, and inflation stops at the declared size.
 *
 * The byte caps of reading (one member, all members, a JSON member) are read caps and come
 * from {@link READ_LIMITS} (src/limits.ts); the counts and the ratio are the zip reader's own.
 *
 * Source: docs/bundle.md ("Caps", "Reading is safe").
 */
import { MiB, READ_LIMITS } from "../limits.js";

/** Caps applied when reading a bundle. */
export interface BundleReadLimits {
  /** Most entries (members and folders) in the central directory. */
  maxEntries: number;
  /** Largest declared uncompressed (and compressed) size of one member, in bytes. */
  maxEntryBytes: number;
  /** Largest sum of the members' declared uncompressed sizes, in bytes. */
  maxTotalBytes: number;
  /** Largest declared uncompressed : compressed ratio of a member at least {@link ratioFloorBytes} long. */
  maxRatio: number;
  /** Members smaller than this (bytes) are not ratio-checked (tiny files compress well legitimately). */
  ratioFloorBytes: number;
  /** Largest `manifest.json` and JSON index member, in bytes. */
  maxJsonBytes: number;
}

/** The default read caps. A bundle `collect` writes always fits them (see {@link DEFAULT_COLLECT_LIMITS}). */
export const DEFAULT_READ_LIMITS: Readonly<BundleReadLimits> = {
  maxEntries: 10_000,
  maxEntryBytes: READ_LIMITS.bundleMemberBytes,
  maxTotalBytes: READ_LIMITS.bundleMembersTotalBytes,
  maxRatio: 200,
  ratioFloorBytes: 1 * MiB,
  maxJsonBytes: READ_LIMITS.bundleJsonBytes,
};

/** Caps applied when collecting. */
export interface BundleCollectLimits {
  /** Largest file carried whole (provider DLLs, binaries, INF files), in bytes. */
  maxFileBytes: number;
  /** Bytes kept from the end of each log file. */
  logTailBytes: number;
  /** Most log files carried. */
  maxLogs: number;
  /** Most bytes of all log tails together. */
  maxLogBytesTotal: number;
  /** Most relevant records carried per event log (the newest). */
  maxEvents: number;
}

/** The default collect caps. */
export const DEFAULT_COLLECT_LIMITS: Readonly<BundleCollectLimits> = {
  maxFileBytes: 16 * MiB,
  logTailBytes: 1 * MiB,
  maxLogs: 200,
  maxLogBytesTotal: 32 * MiB,
  maxEvents: 500,
};
