/**
 * Root-key names of registry paths used by the registry ports: long forms
 * (`HKEY_LOCAL_MACHINE`) map to the short forms the port contract uses (`HKLM`).
 *
 * Source: src/ports/registry.ts (path form); Microsoft "Predefined Keys".
 */
import { splitKeyPath } from "./reg-tree.js";

const ROOT_ALIASES: Record<string, string> = {
  HKEY_LOCAL_MACHINE: "HKLM",
  HKLM: "HKLM",
  HKEY_USERS: "HKU",
  HKU: "HKU",
  HKEY_CURRENT_USER: "HKCU",
  HKCU: "HKCU",
  HKEY_CLASSES_ROOT: "HKCR",
  HKCR: "HKCR",
  HKEY_CURRENT_CONFIG: "HKCC",
  HKCC: "HKCC",
};

/** The short root name (`HKLM`, `HKU`, `HKCU`, `HKCR`, `HKCC`) of a root-key name, or `undefined`. */
export function canonicalRootName(name: string): string | undefined {
  return ROOT_ALIASES[name.toUpperCase()];
}

/**
 * Splits `path` into its canonical root and the components below it. An unknown first
 * component is kept as written (upper-cased comparison is left to the caller).
 */
export function splitRegistryPath(path: string): { root: string; rest: string[] } | undefined {
  const parts = splitKeyPath(path);
  const first = parts[0];
  if (first === undefined) return undefined;
  return { root: canonicalRootName(first) ?? first, rest: parts.slice(1) };
}

/** SIDs and names under HKU that are not interactive users. */
export function isServiceOrTemplateUserHive(name: string): boolean {
  const up = name.toUpperCase();
  return (
    up === ".DEFAULT" ||
    up.endsWith("_CLASSES") ||
    up === "S-1-5-18" ||
    up === "S-1-5-19" ||
    up === "S-1-5-20"
  );
}
