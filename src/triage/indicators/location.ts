/**
 * Indicator-table row "Location": Suspicious = %TEMP%, Downloads or Roaming; Malicious = any folder that is
 * not a vendor's. Our reading (docs/verdict.md): suspicious whenever the file is outside the vendor's
 * install folders; malicious when, from such a folder, it is also in a load position (registered
 * in MAPISVC.INF or a profile, loaded by a process, or beside a module that imports it: a
 * side-loading kit), whatever its signature.
 *
 * When the folder was too big (or its modules too large) to search whole, side-loading is
 * `unknown`: the level stays suspicious (the file is provably outside the vendor folders) and
 * the evidence says what was not read, rather than implying that nothing imports it.
 *
 * Source: docs/verdict.md ("Load positions: side-loading kits"); MITRE ATT&CK T1574.001 / T1574.002
 * (https://attack.mitre.org/techniques/T1574/001/, https://attack.mitre.org/techniques/T1574/002/).
 */
import { classifyLocation, isSeedSuspiciousPlace } from "../location.js";
import { seedCell } from "../seed-table.js";
import type { SiblingSearch } from "../sibling-loaders.js";
import type { LoadPosition, TriageSubject } from "../subject.js";
import type { Indicator } from "../types.js";

/** What the sibling search can say about side-loading. */
type SideLoadingState = "found" | "none-found" | "unknown" | "not-searched";

function sideLoadingState(s: TriageSubject): SideLoadingState {
  if (s.loadPositions.some((p) => p.kind === "next-to-exe" || p.kind === "next-to-dll")) return "found";
  const search = s.siblingSearch;
  if (search === undefined) return "not-searched";
  return search.listed && search.notRead === 0 ? "none-found" : "unknown";
}

/** `"; side-loading unknown: 3 of 200 modules beside it were not read (…)"`. */
function unknownNote(search: SiblingSearch | undefined): string {
  if (search === undefined) return "";
  if (!search.listed) return "; side-loading unknown: its folder could not be listed";
  const why = Object.entries(search.notReadBy)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(", ");
  return `; side-loading unknown: ${search.notRead} of ${search.candidates} modules beside it were not read (${why})`;
}

export function locationIndicator(s: TriageSubject): Indicator {
  const base = { id: "location", source: "seed", row: "Location" } as const;
  const sideLoading = sideLoadingState(s);
  if (s.windowsPath === undefined) {
    const beside = s.loadPositions.filter((p) => p.kind === "next-to-exe" || p.kind === "next-to-dll");
    const note =
      beside.length > 0
        ? `; ${beside.length} module(s) beside it import it: ${beside.map((p) => p.where).join("; ")}`
        : "";
    return {
      ...base,
      level: "unknown",
      evidence: `the file's original Windows location is unknown (not a Windows path, not inside a mounted image); pass --image DIR or --as PATH to judge it${note}`,
      cell: null,
      details: { sideLoading, loadPositions: s.loadPositions },
    };
  }
  const where = classifyLocation(s.windowsPath, s.knowledge);
  const details = {
    windowsPath: s.windowsPath,
    origin: s.windowsPathOrigin,
    kind: where.kind,
    folder: where.folder,
    sideLoading,
    siblingSearch: s.siblingSearch,
  };
  if (where.kind === "connector-install" || where.kind === "vendor-folder") {
    return { ...base, level: "ok", evidence: `in ${where.label} (${where.folder})`, cell: null, details };
  }
  if (s.loadPositions.length > 0) {
    const positions = s.loadPositions.map(describeLoadPosition).join("; ");
    return {
      ...base,
      level: "malicious",
      evidence: `outside the vendor's install folders, in ${where.label}, and in a load position: ${positions}`,
      cell: seedCell("Location", "malicious", "outside the vendor folders and in a load position"),
      details: { ...details, loadPositions: s.loadPositions },
    };
  }
  const seedPlace = isSeedSuspiciousPlace(where.kind);
  const note = sideLoading === "unknown" ? unknownNote(s.siblingSearch) : "";
  return {
    ...base,
    level: "suspicious",
    evidence: `outside the vendor's install folders, in ${where.label} (${s.windowsPath})${note}`,
    cell: seedCell("Location", "suspicious", seedPlace ? undefined : "outside the vendor's install folders"),
    details,
  };
}

/** How each kind of load position reads in evidence (the kind stays in `details.loadPositions`). */
const LOAD_POSITION_WORDS: Record<LoadPosition["kind"], string> = {
  "mapisvc-inf": "registered in",
  "outlook-profile": "named by the Outlook profile",
  "loaded-by-process": "loaded by",
  "next-to-exe": "imported by the EXE beside it,",
  "next-to-dll": "imported by the DLL beside it,",
};

/** One load position in words: `registered in C:\…\MAPISVC.INF [KOFF] …`. */
export function describeLoadPosition(p: LoadPosition): string {
  return `${LOAD_POSITION_WORDS[p.kind]} ${p.where}`;
}
