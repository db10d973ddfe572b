/**
 * The root key a hive file's keys are written under in a `.reg` export, so that `regedit` and
 * `reg import` put them back where Windows loads that hive: `SOFTWARE` → `HKEY_LOCAL_MACHINE\SOFTWARE`,
 * `NTUSER.DAT` → `HKEY_CURRENT_USER`, and so on. A `.reg` file whose keys do not start with one of
 * the predefined root keys is refused by both.
 *
 * Source: Microsoft, "Registry hives" (https://learn.microsoft.com/en-us/windows/win32/sysinfo/registry-hives);
 * KB 310516 (`.reg` syntax); docs/registry.md ("Export").
 */

/** The predefined root keys a `.reg` key line may start with, by their long and short names. */
const ROOT_KEYS: Record<string, string> = {
  HKEY_LOCAL_MACHINE: "HKEY_LOCAL_MACHINE",
  HKLM: "HKEY_LOCAL_MACHINE",
  HKEY_CURRENT_USER: "HKEY_CURRENT_USER",
  HKCU: "HKEY_CURRENT_USER",
  HKEY_USERS: "HKEY_USERS",
  HKU: "HKEY_USERS",
  HKEY_CLASSES_ROOT: "HKEY_CLASSES_ROOT",
  HKCR: "HKEY_CLASSES_ROOT",
  HKEY_CURRENT_CONFIG: "HKEY_CURRENT_CONFIG",
  HKCC: "HKEY_CURRENT_CONFIG",
};

/** Where Windows loads each hive file, by upper-cased file name (Registry hives, Microsoft Learn). */
const HIVE_ROOTS: Record<string, string> = {
  SOFTWARE: "HKEY_LOCAL_MACHINE\\SOFTWARE",
  SYSTEM: "HKEY_LOCAL_MACHINE\\SYSTEM",
  SAM: "HKEY_LOCAL_MACHINE\\SAM",
  SECURITY: "HKEY_LOCAL_MACHINE\\SECURITY",
  COMPONENTS: "HKEY_LOCAL_MACHINE\\COMPONENTS",
  DEFAULT: "HKEY_USERS\\.DEFAULT",
  // A user's hive goes to the account that imports it; another user's is loaded under HKEY_USERS
  // first (`reg load HKU\NAME FILE`) and exported with --prefix HKEY_USERS\NAME.
  "NTUSER.DAT": "HKEY_CURRENT_USER",
  "USRCLASS.DAT": "HKEY_CURRENT_USER\\Software\\Classes",
};

/** The last component of a Windows or POSIX path. */
function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf("/"), p.lastIndexOf("\\")) + 1);
}

/**
 * The default root for the keys of the hive file `fileName` (a path or a bare name), judged by
 * its name, then by the name the hive records in its base block (`embeddedName`, e.g.
 * `\??\C:\Users\alice\ntuser.dat`). Any other hive is written as loaded for inspection:
 * `HKEY_LOCAL_MACHINE\<name>` (the name without extension, characters other than letters, digits,
 * `.`, `_`, `-` dropped; `HIVE` when nothing is left), as `reg load HKLM\NAME FILE` would mount it.
 */
export function defaultHiveRoot(fileName: string, embeddedName = ""): string {
  for (const name of [baseName(fileName), baseName(embeddedName)]) {
    const root = HIVE_ROOTS[name.toUpperCase()];
    if (root !== undefined) return root;
  }
  const stem = baseName(fileName)
    .replace(/\.[^.]*$/, "")
    .replace(/[^A-Za-z0-9._-]/g, "");
  return `HKEY_LOCAL_MACHINE\\${stem || "HIVE"}`;
}

/**
 * `prefix` as a `.reg` root: its first component a predefined root key (short forms such as
 * `HKLM` written out in full), no empty components, no trailing `\`.
 * @returns the normalized prefix, or `undefined` when it does not start with a root key or has
 *   an empty component (`HKLM\\x`) or a character a key name cannot hold (`[`, `]`, a control).
 */
export function normalizeRegPrefix(prefix: string): string | undefined {
  const parts = prefix.replace(/\\+$/, "").split("\\");
  const root = ROOT_KEYS[parts[0]!.toUpperCase()];
  if (root === undefined) return undefined;
  const rest = parts.slice(1);
  const bad = (p: string) => p === "" || [...p].some((ch) => ch < " " || ch === "[" || ch === "]");
  if (rest.some(bad)) return undefined;
  return [root, ...rest].join("\\");
}
