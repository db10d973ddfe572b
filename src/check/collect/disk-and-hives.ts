/**
 * Collectors `disk` (free bytes on the system drive) and `hives` (users whose registry hive the
 * registry port found damaged or dirty: facts read from it may be incomplete, or, for a dirty
 * hive replayed from its transaction logs, the file on disk is older than what was read; each
 * such hive is named in `unknown`, with how it was recovered or why not).
 *
 * Source: Microsoft, "Registry hives" (https://learn.microsoft.com/windows/win32/sysinfo/registry-hives).
 */
import { defineCollector } from "./collector.js";

export const diskCollector = defineCollector({
  name: "disk",
  needs: ["disk"],
  provides: ["freeDiskBytes"],
  timeLimitMs: 60_000,
  async collect(snapshot) {
    return { facts: { freeDiskBytes: await snapshot.disk!.freeBytes("C:\\") } };
  },
});

export const hivesCollector = defineCollector({
  name: "hives",
  needs: ["registry"],
  provides: ["damagedUserHives"],
  timeLimitMs: 60_000,
  async collect(snapshot) {
    const damagedUserHives: string[] = [];
    const unknown: Record<string, string> = {};
    for (const h of await snapshot.registry.health()) {
      if (h.anomalies.length === 0 && !h.dirty) continue;
      // A dirty hive (sequence numbers differ) was copied mid-write: its latest changes sit in
      // .LOG1/.LOG2. Replayed, it reads complete, but the file on disk is still the older state:
      // its user stays in damagedUserHives, so no repair acts on it.
      const recovered = h.recovery?.recovered === true;
      const dirty = !h.dirty
        ? undefined
        : recovered
          ? `dirty hive ${h.recovery!.summary}`
          : `dirty hive (its .LOG1/.LOG2 changes are not applied)${h.recovery ? `, ${h.recovery.summary}` : ""}`;
      const damaged =
        h.anomalies.length > 0
          ? `damaged hive (${h.anomalies.length} anomalies, first: ${h.anomalies[0]!.code})${dirty ? `, ${dirty}` : ""}`
          : dirty!;
      unknown[`hive:${h.mount}`] =
        recovered && h.anomalies.length === 0
          ? `${damaged}; read with its logs replayed, and left alone by repairs (the file on disk is older)`
          : `${damaged}; facts read from it may be incomplete`;
      const user = /^HKU\\([^\\]+)$/i.exec(h.mount)?.[1];
      if (user) damagedUserHives.push(user);
    }
    return { facts: { damagedUserHives }, unknown };
  },
});
