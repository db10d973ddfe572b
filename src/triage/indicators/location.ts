/**
 * Seed row "Location": Suspicious = %TEMP%, Downloads or Roaming; Malicious = any folder that is
 * not a vendor's. Our reading (PRODUCT.md): suspicious whenever the file is outside the vendor's
 * install folders; malicious when, from such a folder, it is also in a load position (registered
 * in MAPISVC.INF or a profile, loaded by a process, or next to an EXE that would load it).
 */
import { classifyLocation, isSeedSuspiciousPlace } from "../location.js";
import { seedCell } from "../seed-table.js";
import type { TriageSubject } from "../subject.js";
import type { Indicator } from "../types.js";

export function locationIndicator(s: TriageSubject): Indicator {
  const base = { id: "location", source: "seed", row: "Location" } as const;
  if (s.windowsPath === undefined) {
    return {
      ...base,
      level: "unknown",
      evidence:
        "the file's original Windows location is unknown (not a Windows path, not inside a mounted image); pass --image DIR or --as PATH to judge it",
      cell: null,
    };
  }
  const where = classifyLocation(s.windowsPath, s.knowledge);
  const details = {
    windowsPath: s.windowsPath,
    origin: s.windowsPathOrigin,
    kind: where.kind,
    folder: where.folder,
  };
  if (where.kind === "connector-install" || where.kind === "vendor-folder") {
    return { ...base, level: "ok", evidence: `in ${where.label} (${where.folder})`, cell: null, details };
  }
  if (s.loadPositions.length > 0) {
    const positions = s.loadPositions.map((p) => `${p.kind} ${p.where}`).join("; ");
    return {
      ...base,
      level: "malicious",
      evidence: `outside the vendor's install folders, in ${where.label}, and in a load position: ${positions}`,
      cell: seedCell("Location", "malicious", "outside the vendor folders and in a load position"),
      details: { ...details, loadPositions: s.loadPositions },
    };
  }
  const seedPlace = isSeedSuspiciousPlace(where.kind);
  return {
    ...base,
    level: "suspicious",
    evidence: `outside the vendor's install folders, in ${where.label} (${s.windowsPath})`,
    cell: seedCell("Location", "suspicious", seedPlace ? undefined : "outside the vendor's install folders"),
    details,
  };
}
