/**
 * Classifies a Windows path for the indicator table's Location row: the connector's install folder, another
 * vendor (Kerio) folder, or a user-writable place where side-loaded DLLs turn up.
 *
 * Source: docs/verdict.md ("Location: which Windows path"); src/knowledge/koff.json (install folders).
 */
import type { ConnectorKnowledge } from "../knowledge/index.js";
import { isUnderWindowsPath, windowsPathKey } from "../paths/windows-path.js";

export type LocationKind =
  | "connector-install"
  | "vendor-folder"
  | "temp"
  | "downloads"
  | "roaming"
  | "user-profile"
  | "system"
  | "other";

/** Folder patterns on the lower-cased canonical path; the first match wins. */
const PATTERNS: Array<{ kind: LocationKind; re: RegExp; label: string }> = [
  { kind: "temp", re: /\\appdata\\local\\temp(\\|$)/, label: "%TEMP%" },
  { kind: "temp", re: /\\local settings\\temp(\\|$)/, label: "%TEMP%" },
  { kind: "temp", re: /^[a-z]:\\windows\\temp(\\|$)/, label: "%SystemRoot%\\Temp" },
  { kind: "temp", re: /^[a-z]:\\(temp|tmp)(\\|$)/, label: "a temp folder" },
  { kind: "downloads", re: /^[a-z]:\\users\\[^\\]+\\downloads(\\|$)/, label: "Downloads" },
  { kind: "roaming", re: /\\appdata\\roaming(\\|$)/, label: "AppData\\Roaming" },
  {
    kind: "roaming",
    re: /^[a-z]:\\documents and settings\\[^\\]+\\application data(\\|$)/,
    label: "Application Data",
  },
  { kind: "user-profile", re: /^[a-z]:\\(users|documents and settings)\\[^\\]+\\/, label: "a user profile" },
  { kind: "system", re: /^[a-z]:\\windows(\\|$)/, label: "the Windows folder" },
];

export interface LocationClass {
  kind: LocationKind;
  /** Plain-words name of the place, e.g. "AppData\\Roaming". */
  label: string;
  /** The knowledge folder matched, for install/vendor kinds. */
  folder?: string;
}

/** Classifies `windowsPath` (a file path) against the knowledge's folders. */
export function classifyLocation(windowsPath: string, knowledge: ConnectorKnowledge): LocationClass {
  const install = knowledge.installFolders.find((f) => isUnderWindowsPath(windowsPath, f));
  if (install) return { kind: "connector-install", label: "the connector's install folder", folder: install };
  const vendor = knowledge.vendorFolders.find((f) => isUnderWindowsPath(windowsPath, f));
  if (vendor) return { kind: "vendor-folder", label: "a Kerio folder", folder: vendor };
  const key = windowsPathKey(windowsPath);
  const hit = PATTERNS.find((p) => p.re.test(key));
  return hit ? { kind: hit.kind, label: hit.label } : { kind: "other", label: "a non-vendor folder" };
}

/** True for the kinds the seed names as suspicious (%TEMP%, Downloads, Roaming). */
export function isSeedSuspiciousPlace(kind: LocationKind): boolean {
  return kind === "temp" || kind === "downloads" || kind === "roaming";
}
