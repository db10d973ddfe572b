/**
 * Windows path handling for every mode: paths are judged as Windows paths (`C:\Users\…`)
 * whether the file was given as `C:\…` on a live machine or as a path inside a mounted image
 * on Linux (`/mnt/win/Users/…`). Comparison is case-insensitive, as on NTFS/Win32.
 *
 * Source: Microsoft "Naming Files, Paths, and Namespaces"
 * (https://learn.microsoft.com/en-us/windows/win32/fileio/naming-a-file); docs/verdict.md
 * ("Location: which Windows path").
 */
import path from "node:path";

/** Top-level folders of a Windows system volume, used to find the volume root inside a host path. */
const VOLUME_TOP_FOLDERS = [
  "users",
  "program files",
  "program files (x86)",
  "programdata",
  "windows",
  "documents and settings",
];

const DRIVE_PATH = /^[A-Za-z]:(?:[\\/]|$)/;
const UNC_PATH = /^(?:\\\\|\/\/)[^\\/]+[\\/][^\\/]+/;

/** True for `C:\…`, `C:/…` and UNC (`\\server\share\…`) paths. */
export function isWindowsPath(p: string): boolean {
  return DRIVE_PATH.test(p) || UNC_PATH.test(p);
}

/**
 * Canonical form: backslashes, no duplicate separators, `.`/`..` resolved, no trailing
 * separator (except after a drive root), upper-case drive letter. Case is otherwise kept.
 * Win32 namespace prefixes are removed (`\\?\C:\x` → `C:\x`, `\\?\UNC\srv\share` →
 * `\\srv\share`), and `..` never climbs above a drive root or a UNC share (`\\srv\share`).
 */
export function normalizeWindowsPath(p: string): string {
  let rest = p.replace(/\//g, "\\");
  // Only \\?\X:\ and \\?\UNC\ are plain paths in disguise; other device paths (\\.\COM1,
  // \\?\Volume{…}) are kept as they are, never turned into relative names.
  const device = /^\\\\[?.]\\(?:(UNC)\\|(?=[A-Za-z]:(?:\\|$)))/i.exec(rest);
  if (device) rest = (device[1] ? "\\\\" : "") + rest.slice(device[0].length);
  else if (/^\\\\[?.]\\/.test(rest)) return rest;
  const unc = rest.startsWith("\\\\");
  const out: string[] = [];
  const floor = () => (unc ? 2 : out[0] !== undefined && /^[A-Za-z]:$/.test(out[0]) ? 1 : 0);
  for (const part of rest.split("\\")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > floor()) out.pop();
      continue;
    }
    out.push(part);
  }
  if (out[0] && /^[a-z]:$/.test(out[0])) out[0] = out[0].toUpperCase();
  const joined = out.join("\\");
  if (unc) return `\\\\${joined}`;
  return /^[A-Z]:$/.test(joined) ? `${joined}\\` : joined;
}

/** Lower-cased canonical form, for comparisons. */
export function windowsPathKey(p: string): string {
  return normalizeWindowsPath(p).toLowerCase();
}

/** True when `child` is `parent` or lies below it (case-insensitive, on separator boundaries). */
export function isUnderWindowsPath(child: string, parent: string): boolean {
  const c = windowsPathKey(child);
  const p = windowsPathKey(parent).replace(/\\$/, "");
  return c === p || c.startsWith(`${p}\\`);
}

/** Last component of a Windows path. */
export function windowsBasename(p: string): string {
  const n = normalizeWindowsPath(p);
  const i = n.lastIndexOf("\\");
  return i < 0 ? n : n.slice(i + 1);
}

/** Parent folder of a Windows path (`""` for a bare file name). */
export function windowsDirname(p: string): string {
  const n = normalizeWindowsPath(p);
  const i = n.lastIndexOf("\\");
  if (i < 0) return "";
  return normalizeWindowsPath(n.slice(0, i) || n);
}

/** Joins Windows path segments. */
export function joinWindowsPath(...parts: string[]): string {
  return normalizeWindowsPath(parts.join("\\"));
}

/**
 * Expands the environment variables a per-user path can hold (`%LOCALAPPDATA%`, `%APPDATA%`,
 * `%USERPROFILE%`, `%TEMP%`, `%ProgramFiles%`, `%ProgramFiles(x86)%`, `%ProgramData%`,
 * `%SystemRoot%`, `%windir%`, `%SystemDrive%`) with Windows' default values for `user` on
 * system drive `drive`. Unknown variables are left as they are.
 */
export function expandWindowsPath(p: string, user?: string, drive = "C:"): string {
  const profile = user === undefined ? undefined : `${drive}\\Users\\${user}`;
  const vars: Record<string, string | undefined> = {
    systemdrive: drive,
    systemroot: `${drive}\\Windows`,
    windir: `${drive}\\Windows`,
    programfiles: `${drive}\\Program Files`,
    "programfiles(x86)": `${drive}\\Program Files (x86)`,
    programw6432: `${drive}\\Program Files`,
    commonprogramfiles: `${drive}\\Program Files\\Common Files`,
    "commonprogramfiles(x86)": `${drive}\\Program Files (x86)\\Common Files`,
    programdata: `${drive}\\ProgramData`,
    userprofile: profile,
    localappdata: profile && `${profile}\\AppData\\Local`,
    appdata: profile && `${profile}\\AppData\\Roaming`,
    temp: profile && `${profile}\\AppData\\Local\\Temp`,
    tmp: profile && `${profile}\\AppData\\Local\\Temp`,
  };
  return p.replace(/%([^%\\]+)%/g, (whole, name: string) => vars[name.toLowerCase()] ?? whole);
}

/** How a host path was mapped to a Windows path. */
export type WindowsPathOrigin = "native" | "image" | "inferred";

/**
 * Maps a path on this machine to the Windows path it had on the inspected system.
 *
 * - A Windows path is returned normalized (`native`).
 * - With `imageRoot`, a path inside it maps to `C:\` + the relative part (`image`).
 * - Otherwise a well-known top-level folder (`Users`, `Program Files`, `Windows`, …) in the path
 *   is taken as sitting at the volume root, so `/mnt/img/Users/bob/Downloads/x.dll` →
 *   `C:\Users\bob\Downloads\x.dll`. With `looksLikeVolumeRoot`, the first candidate whose parent
 *   folder really looks like a volume root wins (so `/media/windows/Program Files (x86)/…` maps
 *   from `Program Files (x86)`, and `/Users/analyst/case/Users/…` on macOS from the inner
 *   `Users`); without it, or when none does, the first candidate.
 *
 * Returns `undefined` when nothing Windows-like is found (e.g. `/home/analyst/x.dll`).
 */
export function hostPathToWindowsPath(
  hostPath: string,
  imageRoot?: string,
  looksLikeVolumeRoot?: (hostDir: string) => boolean,
): { windowsPath: string; origin: WindowsPathOrigin } | undefined {
  if (isWindowsPath(hostPath)) return { windowsPath: normalizeWindowsPath(hostPath), origin: "native" };
  const abs = path.resolve(hostPath);
  if (imageRoot !== undefined) {
    const rel = path.relative(path.resolve(imageRoot), abs);
    if (rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel)) {
      return { windowsPath: normalizeWindowsPath(`C:\\${rel}`), origin: "image" };
    }
  }
  const segments = abs.split(path.sep).filter((s) => s !== "");
  const candidates = segments.flatMap((s, i) => (VOLUME_TOP_FOLDERS.includes(s.toLowerCase()) ? [i] : []));
  if (candidates.length === 0) return undefined;
  const root = (i: number) => path.sep + segments.slice(0, i).join(path.sep);
  const top = (looksLikeVolumeRoot && candidates.find((i) => looksLikeVolumeRoot(root(i)))) ?? candidates[0]!;
  return { windowsPath: normalizeWindowsPath(`C:\\${segments.slice(top).join("\\")}`), origin: "inferred" };
}

/** True when `names` (a folder's entries) hold at least two top-level folders of a Windows volume. */
export function hasVolumeFolders(names: readonly string[]): boolean {
  const lower = new Set(names.map((n) => n.toLowerCase()));
  return VOLUME_TOP_FOLDERS.filter((f) => lower.has(f)).length >= 2;
}
