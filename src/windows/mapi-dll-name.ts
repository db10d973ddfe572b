/**
 * The "32" rule: how MAPI turns a registered PR_SERVICE_DLL_NAME / PR_PROVIDER_DLL_NAME into the
 * name it passes to LoadLibraryEx.
 *
 * - [C] "MAPI appends the string 32 to the base DLL name … Including the string 32 as part of
 *   PR_PROVIDER_DLL_NAME results in an error"; "No suffix is included in the entry regardless of
 *   the target platform; MAPI takes care of adding a suffix if necessary." On every Win32/Win64
 *   MAPI the suffix is added — 64-bit Office's own providers still end in 32 (msmapi32.dll under
 *   ProgramFilesCommonX64) — so this module always applies it.
 * - [C] Outlook 2010+: a full path may be registered; MAPI inserts "32" before the FIRST period
 *   of the WHOLE string, so `c:\mypath\myprovider.dll` → `c:\mypath\myprovider32.dll` and a path
 *   with a period in a directory name (`c:\my.path\x.dll`) cannot work.
 * - [I] With no period at all we append "32" (LoadLibrary then adds ".dll").
 *
 * Sources:
 * https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/registering-services-and-service-providers-in-mapisvc-inf
 */

/** Problems with a registered DLL name, each a finding on its own. */
export type MapiDllNameIssue =
  /** Empty after trimming. */
  | "empty"
  /** A period before the last path separator: "32" lands in a directory name, the load fails. */
  | "period-in-directory"
  /** More than one period in the file name (`kof.msp.dll` → `kof32.msp.dll`). */
  | "multiple-periods-in-name"
  /** The base name already ends in "32" (documented as an error: MAPI adds another). */
  | "already-has-32"
  /** No period at all; "32" is appended and LoadLibrary adds ".dll". */
  | "no-period"
  /** Contains a separator but is not absolute (`.\x.dll`, `sub\x.dll`): resolved against the process's directories. */
  | "relative-path";

/** What MAPI would load for one registered name. */
export interface MapiLoadName {
  /** The registered value, trimmed. */
  registered: string;
  /** The string MAPI passes to LoadLibraryEx ("32" inserted). */
  loadName: string;
  /** True for `X:\…` or `\\server\…`. */
  isFullPath: boolean;
  /** True when there is no path separator at all (searched in the default DLL directories). */
  isBareName: boolean;
  issues: MapiDllNameIssue[];
}

/** Applies the "32" rule to a registered DLL name or path. Pure; never throws. */
export function mapiLoadName(registered: string): MapiLoadName {
  const name = registered.trim();
  const issues: MapiDllNameIssue[] = [];
  const lastSep = Math.max(name.lastIndexOf("\\"), name.lastIndexOf("/"));
  const isFullPath = /^[a-z]:[\\/]/i.test(name) || name.startsWith("\\\\");
  const isBareName = lastSep < 0;
  if (name === "") issues.push("empty");
  if (!isFullPath && !isBareName) issues.push("relative-path");
  const firstDot = name.indexOf(".");
  let loadName: string;
  if (firstDot < 0) {
    if (name !== "") issues.push("no-period");
    loadName = name === "" ? "" : `${name}32`;
  } else {
    loadName = `${name.slice(0, firstDot)}32${name.slice(firstDot)}`;
    if (firstDot < lastSep) issues.push("period-in-directory");
  }
  const fileName = name.slice(lastSep + 1);
  if ((fileName.match(/\./g)?.length ?? 0) > 1) issues.push("multiple-periods-in-name");
  const dot = fileName.indexOf(".");
  const base = dot < 0 ? fileName : fileName.slice(0, dot);
  if (/32$/.test(base)) issues.push("already-has-32");
  return { registered: name, loadName, isFullPath, isBareName, issues };
}
