/**
 * Finds every MAPISVC.INF on a Windows volume (through a {@link FileSystemPort}), parses each,
 * and reports the message services it registers — the KOFF ones marked — with the DLL path MAPI
 * would actually load after the "32" rule, resolved against the file system.
 *
 * Locations probed (docs/windows-state.md, "MAPISVC.INF"; `<PF>` = each Program Files folder,
 * `<lcid>` = every subfolder of `MSMAPI`; [C] = documented by Microsoft, [I] = inferred):
 * - C2R, x64:  `<PF>\Microsoft Office\root\VFS\ProgramFilesCommonX64\System\MSMAPI\<lcid>\` [C]
 * - C2R, x86:  `<PF>\Microsoft Office\root\VFS\ProgramFilesCommonX86\System\MSMAPI\<lcid>\` [C]
 * - C2R system folders inside the bubble: `<PF>\Microsoft Office\root\VFS\System\` and `…\VFS\SystemX86\` [I]
 *   (MAPI falls back to the system directory, which C2R virtualises there)
 * - the same under `<PF>\Microsoft Office 15\root\…` (Office 2013 C2R) [I]
 * - MSI:       `<PF>\Common Files\System\MSMAPI\<lcid>\` [C]
 * - system:    `%windir%\System32\`, `%windir%\SysWOW64\` [C]
 * - with a registry: Program Files folders from `ProgramFilesDir`/`ProgramFilesDir (x86)`, the
 *   C2R `InstallPath` (`HKLM\SOFTWARE\Microsoft\Office\ClickToRun`) [I], and
 * - the folder of the registered MAPI DLL, `DLLPathEx`/`DLLPath` under
 *   `HKLM\SOFTWARE\[WOW6432Node\]Clients\Mail\Microsoft Outlook` (MFCMAPI's GetMAPISVCPath rule) [C]/[I]
 *
 * Registration walk ("File Format of MAPISVC.INF",
 * https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/file-format-of-mapisvc-inf):
 * `[Services]` key → service section (PR_SERVICE_DLL_NAME, PR_SERVICE_ENTRY_NAME, `Providers=`) →
 * provider sections (PR_PROVIDER_DLL_NAME, PR_RESOURCE_TYPE). Lookups follow the profile API's first-occurrence rule (see mapisvc-inf.ts).
 * Bare DLL names are resolved against the default DLL directories Outlook 2013+ searches
 * (LOAD_LIBRARY_SEARCH_DEFAULT_DIRS: the Office application folder, then System32/SysWOW64;
 * PATH is not searched; SetDefaultDllDirectories,
 * https://learn.microsoft.com/en-us/windows/win32/api/libloaderapi/nf-libloaderapi-setdefaultdlldirectories).
 */
import type { FileSystemPort } from "../ports/file-system.js";
import type { RegistryPort } from "../ports/registry.js";
import { WindowsStateError } from "./errors.js";
import { windowsBasename, windowsDirname } from "../paths/windows-path.js";
import { mapiLoadName, type MapiLoadName } from "./mapi-dll-name.js";
import {
  findInfSection,
  infSectionEntries,
  lookupInf,
  parseMapiSvcInf,
  splitInfList,
  MAX_MAPISVC_INF_BYTES,
  type InfEncoding,
  type MapiSvcInf,
} from "./mapisvc-inf.js";
import { DEFAULT_KOFF_DLL_PATTERN } from "./outlook-profiles.js";
import { findValue, stableRegExp, valueAsString } from "./registry-read.js";

/** Where a MAPISVC.INF candidate came from. */
export type MapiSvcOrigin =
  | "c2r-common-x64"
  | "c2r-common-x86"
  | "c2r-vfs-system"
  | "c2r-vfs-systemx86"
  | "msi-common-files"
  | "system32"
  | "syswow64"
  | "registered-mapi-dll";

/** Largest number of `MSMAPI\<lcid>` folders probed per location. */
export const MAX_LCID_FOLDERS = 64;
/** Largest number of `[Services]` entries walked per file. */
export const MAX_SERVICES_PER_INF = 1024;
/** Largest number of `Providers=` names followed per service. */
export const MAX_PROVIDERS_PER_SERVICE = 64;

/** A DLL reference in a section, and where MAPI would load it from. */
export interface InfDllReference {
  /** Key that held it (`PR_SERVICE_DLL_NAME`, `PR_PROVIDER_DLL_NAME`). */
  key: string;
  /** 1-based line of the winning entry. */
  line: number;
  /** The "32" rule applied (registered, loadName, issues). */
  load: MapiLoadName;
  /** Windows path of the file MAPI would load, when one exists; `undefined` = unresolved. */
  resolved: string | undefined;
  /** Every path probed, in search order. */
  probed: string[];
  /**
   * A file that exists under the *registered* name (without "32") where the load name does not —
   * the classic "kofmsp.dll on disk but MAPI opens kofmsp32.dll" mismatch.
   */
  registeredNameOnDisk: string | undefined;
  /** Later duplicate keys the profile API ignores (line numbers). */
  ignoredDuplicateLines: number[];
}

/** A provider section referenced from a service's `Providers=` list. */
export interface InfProviderRegistration {
  section: string;
  /** Header line of the section. */
  line: number;
  dll: InfDllReference | undefined;
  /** PR_RESOURCE_TYPE text (`MAPI_STORE_PROVIDER`, `MAPI_TRANSPORT_PROVIDER`, or a number). */
  resourceType: string | undefined;
  isKoff: boolean;
}

/** One service named in `[Services]`. */
export interface InfServiceRegistration {
  /** Section name (the `[Services]` key). */
  section: string;
  /** Display name (the `[Services]` value). */
  displayName: string;
  /** Line in `[Services]`. */
  servicesLine: number;
  /** Header line of the service section, `undefined` when the section is missing. */
  line: number | undefined;
  dll: InfDllReference | undefined;
  /** PR_SERVICE_ENTRY_NAME. */
  entryName: string | undefined;
  providers: InfProviderRegistration[];
  /** Names in `Providers=` with no section (unresolved). */
  missingProviderSections: string[];
  /** True when the service DLL or any provider DLL matches the KOFF pattern. */
  isKoff: boolean;
}

/** One MAPISVC.INF found. */
export interface MapiSvcFileReport {
  /** Windows path. */
  path: string;
  origin: MapiSvcOrigin;
  /** Bitness implied by the location (`undefined` when the location does not say). */
  bitness: "x64" | "x86" | undefined;
  size: number;
  encoding: InfEncoding | undefined;
  /** Set when the file could not be read or parsed; `services` is then empty. */
  error: { code: string; message: string } | undefined;
  services: InfServiceRegistration[];
  /** Services named in `[Services]` whose section is missing (unresolved). */
  missingServiceSections: string[];
  /** True when `[Services]` has more than {@link MAX_SERVICES_PER_INF} entries (the rest were not walked). */
  truncated: boolean;
  /** The parsed file, for callers that need more than the registration walk. */
  inf: MapiSvcInf | undefined;
}

/** Options of {@link locateMapiSvcInf}. */
export interface LocateMapiSvcOptions {
  /** `%windir%`. Default: `SystemRoot` under `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion` when a registry is given, else `C:\Windows`. */
  windowsDir?: string;
  /** Program Files folders, 64-bit first. Default: from the registry when given (see module header), else `C:\Program Files`, `C:\Program Files (x86)`. */
  programFiles?: string[];
  /** When given, the registered MAPI DLL folders are probed too. */
  registry?: RegistryPort;
  /** What marks a KOFF DLL name. Default `/kofmsp/i`. */
  koffDllPattern?: RegExp;
  /** Override the directories bare DLL names are searched in (default: see module header). */
  searchDirs?: string[];
}

/** Result of {@link locateMapiSvcInf}. */
export interface MapiSvcLocatorResult {
  files: MapiSvcFileReport[];
  /** Every candidate path probed (found or not), for evidence. */
  probed: string[];
  /** Every KOFF service registration across all files, with its file path. */
  koffRegistrations: Array<{ path: string; service: InfServiceRegistration }>;
  source: string;
}

interface Candidate {
  path: string;
  origin: MapiSvcOrigin;
  bitness: "x64" | "x86" | undefined;
}

/**
 * Finds, parses and walks every MAPISVC.INF. Never throws for a missing or malformed file (the
 * file's `error` says why); errors thrown by the ports propagate.
 */
export async function locateMapiSvcInf(
  fs: FileSystemPort,
  options: LocateMapiSvcOptions = {},
): Promise<MapiSvcLocatorResult> {
  const systemRoot =
    options.registry === undefined
      ? undefined
      : valueAsString(
          findValue(
            await options.registry.getKey("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"),
            "SystemRoot",
          ),
        )?.trim();
  const win = options.windowsDir ?? (systemRoot || "C:\\Windows");
  const pfs = options.programFiles ?? (await programFilesFromRegistry(options.registry));
  const pattern = stableRegExp(options.koffDllPattern ?? DEFAULT_KOFF_DLL_PATTERN);
  const candidates = await candidatePaths(fs, win, pfs, options.registry);
  const result: MapiSvcLocatorResult = {
    files: [],
    probed: [],
    koffRegistrations: [],
    source: fs.describe(),
  };
  const seen = new Set<string>();
  for (const c of candidates) {
    const norm = c.path.toLowerCase();
    if (seen.has(norm)) continue;
    seen.add(norm);
    result.probed.push(c.path);
    // Report the name as stored on disk (`mapisvc.inf` vs `MAPISVC.INF`).
    const dir = windowsDirname(c.path);
    const entry = (await fs.list(dir))?.find(
      (e) => e.kind === "file" && e.name.toLowerCase() === "mapisvc.inf",
    );
    if (entry === undefined) continue;
    const found: Candidate = { ...c, path: `${dir}\\${entry.name}` };
    const report = await readOne(fs, found, entry.size, {
      pattern,
      searchDirs: options.searchDirs ?? defaultSearchDirs(win, pfs, c.bitness),
    });
    result.files.push(report);
    for (const service of report.services)
      if (service.isKoff) result.koffRegistrations.push({ path: found.path, service });
  }
  return result;
}

/**
 * Program Files folders: `ProgramFilesDir` and `ProgramFilesDir (x86)` under
 * `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion` when a registry is given (installs on another
 * drive), else the defaults `C:\Program Files`, `C:\Program Files (x86)`.
 */
async function programFilesFromRegistry(registry: RegistryPort | undefined): Promise<string[]> {
  const defaults = ["C:\\Program Files", "C:\\Program Files (x86)"];
  if (registry === undefined) return defaults;
  const k = await registry.getKey("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion");
  const pf = valueAsString(findValue(k, "ProgramFilesDir"))?.trim();
  const pf86 = valueAsString(findValue(k, "ProgramFilesDir (x86)"))?.trim();
  if (!pf) return defaults;
  return pf86 ? [pf, pf86] : [pf];
}

async function candidatePaths(
  fs: FileSystemPort,
  win: string,
  pfs: string[],
  registry: RegistryPort | undefined,
): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const withLcids = async (
    msmapi: string,
    origin: MapiSvcOrigin,
    bitness: Candidate["bitness"],
  ): Promise<void> => {
    const entries = (await fs.list(msmapi)) ?? [];
    for (const e of entries.filter((x) => x.kind === "dir").slice(0, MAX_LCID_FOLDERS)) {
      out.push({ path: `${msmapi}\\${e.name}\\MAPISVC.INF`, origin, bitness });
    }
  };
  for (const [i, pf] of pfs.entries()) {
    const pfBitness = pfs.length > 1 ? (i === 0 ? "x64" : "x86") : undefined;
    for (const office of ["Microsoft Office", "Microsoft Office 15"]) {
      const vfs = `${pf}\\${office}\\root\\VFS`;
      await withLcids(`${vfs}\\ProgramFilesCommonX64\\System\\MSMAPI`, "c2r-common-x64", "x64");
      await withLcids(`${vfs}\\ProgramFilesCommonX86\\System\\MSMAPI`, "c2r-common-x86", "x86");
      out.push({ path: `${vfs}\\System\\MAPISVC.INF`, origin: "c2r-vfs-system", bitness: pfBitness });
      out.push({ path: `${vfs}\\SystemX86\\MAPISVC.INF`, origin: "c2r-vfs-systemx86", bitness: "x86" });
    }
    await withLcids(`${pf}\\Common Files\\System\\MSMAPI`, "msi-common-files", pfBitness);
  }
  out.push({ path: `${win}\\System32\\MAPISVC.INF`, origin: "system32", bitness: undefined });
  out.push({ path: `${win}\\SysWOW64\\MAPISVC.INF`, origin: "syswow64", bitness: "x86" });
  if (registry !== undefined) {
    // The C2R install folder (`InstallPath`, e.g. `D:\Office`) when it is not under Program Files [I].
    const c2r = valueAsString(
      findValue(await registry.getKey("HKLM\\SOFTWARE\\Microsoft\\Office\\ClickToRun"), "InstallPath"),
    )?.trim();
    if (c2r) {
      const vfs = `${c2r}\\root\\VFS`;
      await withLcids(`${vfs}\\ProgramFilesCommonX64\\System\\MSMAPI`, "c2r-common-x64", "x64");
      await withLcids(`${vfs}\\ProgramFilesCommonX86\\System\\MSMAPI`, "c2r-common-x86", "x86");
    }
    for (const [key, bitness] of [
      ["HKLM\\SOFTWARE\\Clients\\Mail\\Microsoft Outlook", undefined],
      ["HKLM\\SOFTWARE\\WOW6432Node\\Clients\\Mail\\Microsoft Outlook", "x86"],
    ] as const) {
      const k = await registry.getKey(key);
      for (const name of ["DLLPathEx", "DLLPath"]) {
        const dll = valueAsString(findValue(k, name));
        if (dll === undefined || dll.trim() === "") continue;
        out.push({
          path: `${windowsDirname(dll.trim())}\\MAPISVC.INF`,
          origin: "registered-mapi-dll",
          bitness,
        });
      }
    }
  }
  return out;
}

/** Default DLL directories for a bare name, for an INF of the given bitness. */
function defaultSearchDirs(win: string, pfs: string[], bitness: Candidate["bitness"]): string[] {
  const officeDirs = (pf: string): string[] => [
    `${pf}\\Microsoft Office\\root\\Office16`,
    `${pf}\\Microsoft Office\\Office16`,
    `${pf}\\Microsoft Office 15\\root\\Office15`,
    `${pf}\\Microsoft Office\\Office15`,
  ];
  const x64 = pfs[0] === undefined ? [] : [...officeDirs(pfs[0]), `${win}\\System32`];
  const x86 = pfs[1] === undefined ? [] : [...officeDirs(pfs[1]), `${win}\\SysWOW64`];
  if (bitness === "x64") return x64;
  if (bitness === "x86") return x86.length > 0 ? x86 : x64;
  return [...x64, ...x86];
}

async function readOne(
  fs: FileSystemPort,
  c: Candidate,
  size: number,
  ctx: { pattern: RegExp; searchDirs: string[] },
): Promise<MapiSvcFileReport> {
  const report: MapiSvcFileReport = {
    path: c.path,
    origin: c.origin,
    bitness: c.bitness,
    size,
    encoding: undefined,
    error: undefined,
    services: [],
    missingServiceSections: [],
    truncated: false,
    inf: undefined,
  };
  let inf: MapiSvcInf;
  try {
    const bytes = await fs.readFile(c.path, MAX_MAPISVC_INF_BYTES);
    if (bytes === undefined) {
      report.error = {
        code: "too-large",
        message: `unreadable or larger than ${MAX_MAPISVC_INF_BYTES} bytes`,
      };
      return report;
    }
    inf = parseMapiSvcInf(bytes, c.path);
  } catch (e) {
    if (!(e instanceof WindowsStateError)) throw e;
    report.error = { code: e.code, message: e.message };
    return report;
  }
  report.inf = inf;
  report.encoding = inf.encoding;
  const entries = infSectionEntries(inf, "Services");
  report.truncated = entries.length > MAX_SERVICES_PER_INF;
  for (const entry of entries.slice(0, MAX_SERVICES_PER_INF)) {
    const section = findInfSection(inf, entry.key);
    if (section === undefined) report.missingServiceSections.push(entry.key);
    const service: InfServiceRegistration = {
      section: entry.key,
      displayName: entry.value,
      servicesLine: entry.line,
      line: section?.line,
      dll: await dllReference(fs, inf, entry.key, "PR_SERVICE_DLL_NAME", ctx.searchDirs),
      entryName: lookupInf(inf, entry.key, "PR_SERVICE_ENTRY_NAME")?.value,
      providers: [],
      missingProviderSections: [],
      isKoff: false,
    };
    const providerList = lookupInf(inf, entry.key, "Providers")?.value;
    for (const name of splitInfList(providerList ?? "").slice(0, MAX_PROVIDERS_PER_SERVICE)) {
      const ps = findInfSection(inf, name);
      if (ps === undefined) {
        service.missingProviderSections.push(name);
        continue;
      }
      const dll = await dllReference(fs, inf, name, "PR_PROVIDER_DLL_NAME", ctx.searchDirs);
      service.providers.push({
        section: name,
        line: ps.line,
        dll,
        resourceType: lookupInf(inf, name, "PR_RESOURCE_TYPE")?.value,
        isKoff: dll !== undefined && ctx.pattern.test(dll.load.registered),
      });
    }
    service.isKoff =
      (service.dll !== undefined && ctx.pattern.test(service.dll.load.registered)) ||
      service.providers.some((p) => p.isKoff);
    report.services.push(service);
  }
  return report;
}

async function dllReference(
  fs: FileSystemPort,
  inf: MapiSvcInf,
  section: string,
  key: string,
  searchDirs: string[],
): Promise<InfDllReference | undefined> {
  const hit = lookupInf(inf, section, key);
  if (hit === undefined) return undefined;
  const load = mapiLoadName(hit.value);
  const ref: InfDllReference = {
    key,
    line: hit.entry.line,
    load,
    resolved: undefined,
    probed: [],
    registeredNameOnDisk: undefined,
    ignoredDuplicateLines: hit.occurrences.slice(1).map((o) => o.line),
  };
  if (load.registered === "") return ref;
  const isFile = async (p: string): Promise<boolean> => (await fs.stat(p))?.kind === "file";
  if (load.isBareName) {
    for (const dir of searchDirs) {
      const p = `${dir}\\${load.loadName}`;
      ref.probed.push(p);
      if (await isFile(p)) {
        ref.resolved = p;
        break;
      }
    }
    if (ref.resolved === undefined) {
      for (const dir of searchDirs) {
        const p = `${dir}\\${windowsBasename(load.registered)}`;
        if (await isFile(p)) {
          ref.registeredNameOnDisk = p;
          break;
        }
      }
    }
  } else if (load.isFullPath) {
    ref.probed.push(load.loadName);
    if (await isFile(load.loadName)) ref.resolved = load.loadName;
    else if (await isFile(load.registered)) ref.registeredNameOnDisk = load.registered;
  }
  // A relative path depends on the loading process's directories; it is left unresolved.
  return ref;
}
