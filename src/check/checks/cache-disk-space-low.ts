import { loadKnowledge } from "../../knowledge/index.js";
import { defineCheck } from "../finding.js";

/** Evidence of `cache-disk-space-low`: the free space and what a cache upgrade needs. */
export interface CacheDiskSpaceLowEvidence {
  /** Free bytes on the system drive. */
  freeBytes: number;
  /** Total bytes of every cache database. */
  databaseBytes: number;
  /** Free space a database upgrade needs, as a multiple of `databaseBytes`. */
  factor: number;
}

/** Free space is below twice the size of the cache's databases (a database upgrade needs 2×). */
export default defineCheck<CacheDiskSpaceLowEvidence>({
  id: "cache-disk-space-low",
  severity: "warning",
  title: "Not enough free disk space for a cache upgrade",
  remedy: null,
  needs: ["freeDiskBytes", "caches"],
  run(f) {
    if (f.freeDiskBytes === undefined) return [];
    const factor = loadKnowledge().upgradeSpaceFactor;
    const dbBytes = f.caches.reduce((n, c) => n + c.databases.reduce((m, d) => m + d.size, 0), 0);
    if (dbBytes === 0 || f.freeDiskBytes >= factor * dbBytes) return [];
    return [
      {
        message: `${f.freeDiskBytes} bytes free, below ${factor} × ${dbBytes} bytes of cache databases; KOFF cannot upgrade its database`,
        evidence: {
          freeBytes: f.freeDiskBytes,
          databaseBytes: dbBytes,
          factor,
        } satisfies CacheDiskSpaceLowEvidence,
      },
    ];
  },
});
