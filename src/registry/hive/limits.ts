/**
 * Caps applied while parsing a hive. Every count read from a hive file is checked against one
 * of these before it drives a loop or an allocation; exceeding a cap is a `count-over-limit`
 * {@link RegistryError} (strict mode) or a recorded anomaly with the excess skipped (permissive).
 *
 * Source: docs/registry.md ("Caps").
 */

/** Parser caps. All fields are optional in {@link import("./hive.js").OpenHiveOptions}. */
export interface HiveLimits {
  /** Most subkeys one key may list (stable subkeys, after `ri` expansion). Default 65 536. */
  maxSubkeys: number;
  /** Most values one key may list. Default 65 536. */
  maxValues: number;
  /** Longest key name, in bytes as stored. Default 2 048 (Windows allows 255 characters = 510 bytes). */
  maxKeyNameBytes: number;
  /** Longest value name, in bytes as stored. Default 32 768 (Windows allows 16 383 characters). */
  maxValueNameBytes: number;
  /** Largest value data, in bytes. Default 64 MiB. */
  maxValueDataBytes: number;
  /**
   * Total bytes of big data (`db`) one hive object may assemble over its lifetime. Default 512 MiB.
   * Other data is returned as views into the file and costs nothing; big data is copied, and many
   * values may reference one large `db` record.
   */
  maxBigDataBytes: number;
  /** Deepest `ri` → `ri` → … nesting of subkey index lists. Default 8 (Windows writes one level). */
  maxIndexDepth: number;
  /** Deepest key nesting a tree walk descends. Default 512 (the Windows limit). */
  maxKeyDepth: number;
  /** Total cells one hive object may read over its lifetime. Default 50 000 000. */
  maxCellsVisited: number;
  /** Most anomalies kept in `hive.anomalies` (later ones are only counted). Default 1 000. */
  maxAnomalies: number;
}

/** The default {@link HiveLimits}. */
export const DEFAULT_HIVE_LIMITS: Readonly<HiveLimits> = Object.freeze({
  maxSubkeys: 65_536,
  maxValues: 65_536,
  maxKeyNameBytes: 2_048,
  maxValueNameBytes: 32_768,
  maxValueDataBytes: 64 * 1024 * 1024,
  maxBigDataBytes: 512 * 1024 * 1024,
  maxIndexDepth: 8,
  maxKeyDepth: 512,
  maxCellsVisited: 50_000_000,
  maxAnomalies: 1_000,
});
