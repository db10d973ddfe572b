/**
 * Side-loading: modules in the same folder as a DLL that import it by name would load that copy,
 * because the folder of the application comes first in the DLL search order. Such a folder is a
 * load position for the DLL (docs/verdict.md, "Load positions: side-loading kits").
 *
 * Each folder is scanned once per run ({@link FolderScans}): its candidate modules are listed,
 * read and parsed for their import tables only ({@link parsePeImports}: headers, import and
 * delay-load import directories; no entropy, checksum, exports or resources). Where the port
 * opens files for ranged reads (host files), only the blocks holding the headers and the DLL
 * names are read ({@link readPeImports}), not the whole module. Every DLL of the
 * folder is then matched against that one scan ({@link sideLoadersOf}). I/O is injected, so the
 * same code serves host files (`triage`), snapshots (`check`) and bundles (`triage --bundle`).
 *
 * How an import names a file, as the loader reads it:
 * - case-insensitively (`KOFMSP.DLL` is `kofmsp.dll`);
 * - a name without an extension gets `.dll`; a trailing dot means "no extension" and is dropped;
 * - a relative path (`.\kofmsp.dll`, `..\kit\kofmsp.dll`) is taken from the importer's folder,
 *   the first place searched; a full path (`C:\kit\kofmsp.dll`, also as `\\?\C:\…` or
 *   `\\.\C:\…`) names exactly that file, a rooted one (`\kit\kofmsp.dll`) that file on the
 *   importer's drive; `kofmsp.dll::$DATA` is the file itself (its unnamed NTFS stream);
 * - delay-load imports count: the loader loads them on first call, from the same search order;
 * - DLLs import as EXEs do: a DLL beside it that imports it loads it whenever it is loaded;
 * - `kofmsp.dll` and `kofmsp32.dll` are different names here. MAPI's "32" rule applies to the
 *   name MAPI passes to LoadLibrary, never to an import table.
 *
 * A folder too big to read whole is not reported as free of loaders: what was not read (over
 * {@link MAX_SIBLING_MODULES}, over {@link MAX_SIBLING_MODULE_BYTES}, unreadable) is listed in
 * the search result, and the location indicator says side-loading is unknown.
 *
 * Source: Microsoft docs "Dynamic-link library search order"
 * (https://learn.microsoft.com/en-us/windows/win32/dlls/dynamic-link-library-search-order) and
 * LoadLibraryEx ("If lpFileName specifies a relative path, the entire relative path is appended to
 * every token in the DLL search path list"; ".dll" appended when no extension; a trailing "." for
 * no extension); PE/COFF specification §5.8 (delay-load imports), §6.4 (imports); MITRE ATT&CK
 * T1574.001 (DLL search order hijacking), T1574.002 (DLL side-loading;
 * https://attack.mitre.org/techniques/T1574/001/, https://attack.mitre.org/techniques/T1574/002/).
 */
import { READ_LIMITS } from "../limits.js";
import { joinWindowsPath, windowsPathKey } from "../paths/windows-path.js";
import { parsePeImports, readPeImports, type PeImportTables } from "../pe/index.js";
import type { FileSystemPort, OpenedFile } from "../ports/file-system.js";
import { ScratchBuffer } from "../util/scratch-buffer.js";
import type { LoadPosition, NotReadReason, SiblingSearch } from "./subject.js";

export type { NotReadReason, SiblingSearch };

/** Modules read per folder; more are reported as not read (side-loading then unknown). */
export const MAX_SIBLING_MODULES = READ_LIMITS.siblingModules;
/** Modules not read that a search result names (the rest are only counted). */
export const NOT_READ_SHOWN = 8;
/** The largest sibling module read, in bytes. */
export const MAX_SIBLING_MODULE_BYTES = READ_LIMITS.siblingModuleBytes;

/** Extensions of files that can import a DLL: programs first, then DLL-like modules. */
const PROGRAM_EXTENSIONS = /\.(exe|com|scr|cpl)$/i;
const LIBRARY_EXTENSIONS = /\.(dll|ocx|drv|ax)$/i;

/** One file of a folder, as a {@link FolderLister} gives it. */
export interface FolderFile {
  /** File name as stored. */
  name: string;
  /** How the file is named in evidence (its Windows path when known). */
  where: string;
  /** Size in bytes, when the listing knows it (files over the cap are then never read). */
  size?: number;
  /** Its bytes; `"too-large"` when it is over `maxBytes` (never read); `undefined` when unreadable. */
  read(maxBytes: number): Promise<Uint8Array | "too-large" | undefined>;
  /**
   * The file opened for reads by range, where the lister can (host files): then only the blocks
   * holding its headers and import tables are read ({@link readPeImports}), not the whole file.
   * `undefined` when it cannot be read, also when over `maxBytes` (as `read` would answer).
   */
  open?(maxBytes: number): Promise<OpenedFile | undefined>;
  /**
   * The DLL names it imports when its bytes are not there but its facts are (a PE file a
   * redacted bundle withheld; src/bundle/pe-facts.ts).
   */
  carriedImports?(): Promise<readonly string[] | undefined>;
}

/** Lists the files of `folder`; `undefined` when it cannot be listed. */
export type FolderLister = (folder: string) => Promise<FolderFile[] | undefined>;

/** One import of a sibling module. */
export interface SiblingImport {
  /** The DLL name as stored in the import table. */
  dll: string;
  delayLoad: boolean;
}

/** A module of the folder and what it imports. */
export interface SiblingModule {
  name: string;
  where: string;
  /** From IMAGE_FILE_DLL, not from the extension. */
  isDll: boolean;
  imports: SiblingImport[];
}

/** The result of scanning one folder. */
export interface FolderScan {
  folder: string;
  /** False when the folder could not be listed. */
  listed: boolean;
  /** Names (lower-cased) of the files that could import a DLL, by extension. */
  candidates: string[];
  /** The PE modules read (files that are not PE images are left out). */
  modules: SiblingModule[];
  notRead: Array<{ name: string; where: string; reason: NotReadReason }>;
}

/** Load positions of one file from its folder's scan, and how complete the search was. */
export interface SideLoading {
  positions: LoadPosition[];
  search: SiblingSearch;
}

/** Candidate files in reading order: programs before libraries, then by name. */
function candidatesOf(files: readonly FolderFile[]): FolderFile[] {
  const rank = (f: FolderFile) => (PROGRAM_EXTENSIONS.test(f.name) ? 0 : 1);
  return files
    .filter((f) => PROGRAM_EXTENSIONS.test(f.name) || LIBRARY_EXTENSIONS.test(f.name))
    .sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The DLL names module `f` imports: by ranges when the lister opens files (a few KiB read),
 * else from its whole bytes; `"not-pe"` for a file that is not a PE image (or whose headers the
 * loader would refuse), else why it was not read.
 */
async function readImportTables(
  f: FolderFile,
  scratch: ScratchBuffer,
): Promise<PeImportTables | "not-pe" | "unreadable" | "size-cap"> {
  const parse = async (run: () => Promise<PeImportTables | undefined>) => {
    try {
      return (await run()) ?? "unreadable";
    } catch {
      return "not-pe";
    }
  };
  if (f.open !== undefined) {
    const file = await f.open(MAX_SIBLING_MODULE_BYTES);
    if (file === undefined) return "unreadable";
    try {
      const read = (at: number, n: number) => file.read(at, n);
      return await parse(() => readPeImports(file.size, read, { functions: false, into: scratch }));
    } finally {
      await file.close();
    }
  }
  const bytes = await f.read(MAX_SIBLING_MODULE_BYTES);
  if (bytes === undefined) return "unreadable";
  if (bytes === "too-large") return "size-cap";
  return parse(async () => parsePeImports(bytes, { functions: false }));
}

/**
 * Scans `folder` once: lists it, reads up to {@link MAX_SIBLING_MODULES} candidates of at most
 * {@link MAX_SIBLING_MODULE_BYTES} each, and keeps their import tables. Never throws for a bad
 * file (a file that is not a PE image imports nothing); lister and read failures propagate.
 */
export async function scanFolder(folder: string, lister: FolderLister): Promise<FolderScan> {
  const files = await lister(folder);
  if (files === undefined) return { folder, listed: false, candidates: [], modules: [], notRead: [] };
  const candidates = candidatesOf(files);
  const modules: SiblingModule[] = [];
  const notRead: FolderScan["notRead"] = [];
  // The scan's own buffer for the blocks read, module after module (nothing keeps a view of it).
  const scratch = new ScratchBuffer();
  for (const [i, f] of candidates.entries()) {
    const skip = (reason: NotReadReason) => notRead.push({ name: f.name, where: f.where, reason });
    if (i >= MAX_SIBLING_MODULES) {
      skip("count-cap");
      continue;
    }
    if (f.size !== undefined && f.size > MAX_SIBLING_MODULE_BYTES) {
      skip("size-cap");
      continue;
    }
    const read = await readImportTables(f, scratch);
    if (read === "unreadable" || read === "size-cap") {
      const carried = read === "unreadable" ? await f.carriedImports?.() : undefined;
      if (carried) {
        // Withheld bytes, carried imports: whether it is a DLL is told by its extension, and the
        // carried list does not say which imports are delay-loaded.
        const isDll = !PROGRAM_EXTENSIONS.test(f.name);
        modules.push({
          name: f.name,
          where: f.where,
          isDll,
          imports: carried.map((dll) => ({ dll, delayLoad: false })),
        });
      } else skip(read);
      continue;
    }
    // Not a PE image (or headers the loader would refuse): it loads nothing.
    if (read === "not-pe") continue;
    modules.push({
      name: f.name,
      where: f.where,
      isDll: read.fileHeader.isDll,
      imports: read.imports.map((m) => ({ dll: m.dll, delayLoad: m.delayLoad })),
    });
  }
  return { folder, listed: true, candidates: candidates.map((f) => f.name.toLowerCase()), modules, notRead };
}

/** Path segments, lower-cased, without empty ones (`C:\A\b` → `["c:", "a", "b"]`). */
function segments(p: string): string[] {
  return p
    .toLowerCase()
    .split(/[\\/]+/)
    .filter((s) => s !== "");
}

/** The file name the loader looks for: `.dll` added when there is no extension, trailing dots dropped. */
function loaderFileName(name: string): string {
  if (!name.includes(".")) return `${name}.dll`;
  return name.replace(/[. ]+$/, "");
}

/**
 * The file an import of `dll`, by a module in `folder`, names: its path as lower-case segments
 * (`["c:", "kit", "kofmsp.dll"]`), or `undefined` when the name is empty. Relative paths resolve
 * against `folder` (the first directory the loader searches).
 */
function importTarget(dll: string, folder: string): string[] | undefined {
  // `\\?\C:\…` and `\\.\C:\…` name the same file as `C:\…`; `name::$DATA` is the file's
  // unnamed data stream, i.e. the file itself (NTFS).
  const name = dll.replace(/^[\\/]{2}[?.][\\/]/, "").replace(/::\$data$/i, "");
  const parts = segments(name);
  const last = parts.pop();
  if (last === undefined) return undefined;
  const folderParts = segments(folder);
  const drive = (s: string | undefined) => /^[a-z]:$/.test(s ?? "");
  const absolute = drive(parts[0]) || /^[\\/]{2}/.test(name);
  // Rooted (`\kit\x.dll`): on the current drive, taken as the importer's.
  const rooted = !absolute && /^[\\/]/.test(name);
  const resolved = absolute
    ? []
    : rooted
      ? folderParts.slice(0, drive(folderParts[0]) ? 1 : 0)
      : [...folderParts];
  for (const p of parts) {
    if (p === ".") continue;
    if (p === "..") resolved.pop();
    else resolved.push(p);
  }
  resolved.push(loaderFileName(last));
  return resolved;
}

/** The segments of file `fileName` of `folder`, as {@link importTarget} gives them. */
function fileTarget(folder: string, fileName: string): string[] {
  return [...segments(folder), fileName.toLowerCase()];
}

/** One string per segment list, equal exactly when the lists are (JSON keeps segment bounds). */
const targetKey = (parts: readonly string[]): string => JSON.stringify(parts);

/**
 * Whether an import of `dll`, by a module in `folder`, names the file `fileName` of that folder.
 * Relative paths resolve against `folder` (the first directory the loader searches).
 */
export function importNamesFile(dll: string, folder: string, fileName: string): boolean {
  const resolved = importTarget(dll, folder);
  const target = fileTarget(folder, fileName);
  return (
    resolved !== undefined && resolved.length === target.length && resolved.every((p, i) => p === target[i])
  );
}

/** One module of a scan that imports a given file, with its first import naming it. */
interface ImportHit {
  module: SiblingModule;
  hit: SiblingImport;
}

/**
 * A scan's imports by the file they name, for one folder path: every module (in scan order)
 * with its first import naming that file. Built once per scan and folder path, so matching a
 * folder's n files costs n lookups, not n × (modules × imports) name resolutions.
 */
const importIndexes = new WeakMap<FolderScan, Map<string, Map<string, ImportHit[]>>>();

function importIndexOf(scan: FolderScan, folderPath: string): Map<string, ImportHit[]> {
  let byFolder = importIndexes.get(scan);
  if (byFolder === undefined) importIndexes.set(scan, (byFolder = new Map()));
  let index = byFolder.get(folderPath);
  if (index !== undefined) return index;
  index = new Map();
  for (const module of scan.modules) {
    for (const hit of module.imports) {
      const target = importTarget(hit.dll, folderPath);
      if (target === undefined) continue;
      const key = targetKey(target);
      const hits = index.get(key);
      // The module's first import naming the file, as `imports.find` would pick it.
      if (hits === undefined) index.set(key, [{ module, hit }]);
      else if (hits[hits.length - 1]!.module !== module) hits.push({ module, hit });
    }
  }
  byFolder.set(folderPath, index);
  return index;
}

/**
 * The load positions `fileName` (a file of `scan.folder`) gets from the modules beside it, and
 * how complete the search was. Any file name counts, not only `.dll`: the extension is the
 * importer's choice.
 * @param folderPath - the folder as the importers see it, for relative and full-path imports
 *   (its Windows path when known); default `scan.folder`.
 */
export function sideLoadersOf(scan: FolderScan, fileName: string, folderPath = scan.folder): SideLoading {
  const self = fileName.toLowerCase();
  const positions: LoadPosition[] = [];
  const hits = importIndexOf(scan, folderPath).get(targetKey(fileTarget(folderPath, fileName))) ?? [];
  for (const { module: m, hit } of hits) {
    if (m.name.toLowerCase() === self) continue;
    positions.push({
      kind: m.isDll ? "next-to-dll" : "next-to-exe",
      where: `${m.where} (imports "${hit.dll}"${hit.delayLoad ? ", delay-load" : ""})`,
    });
  }
  const others = scan.notRead.filter((n) => n.name.toLowerCase() !== self);
  const notReadBy: SiblingSearch["notReadBy"] = {};
  for (const n of others) notReadBy[n.reason] = (notReadBy[n.reason] ?? 0) + 1;
  const candidates = scan.candidates.filter((n) => n !== self).length;
  return {
    positions,
    search: {
      candidates,
      read: candidates - others.length,
      notRead: others.length,
      notReadBy,
      notReadExamples: others.slice(0, NOT_READ_SHOWN).map(({ where, reason }) => ({ where, reason })),
      listed: scan.listed,
    },
  };
}

/** Options of {@link FolderScans}. */
export interface FolderScansOptions {
  /** Keep each folder's scan for the run (default). `false` rescans on every request. */
  cache?: boolean;
  /** The key two folder names share when they are the same folder (default: as given). */
  key?: (folder: string) => string;
  /**
   * Most folder scans kept at once (default {@link KEPT_FOLDER_SCANS}); the least recently used
   * is dropped, so a whole-disk run holds a few folders, not every folder of the disk. A folder
   * asked for again after being dropped is scanned again (same result, more work).
   */
  keep?: number;
}

/** Folder scans a run keeps by default: a walk visits a folder's files together. */
export const KEPT_FOLDER_SCANS = 64;

/**
 * The folder scans of one run: each folder is listed and its modules parsed once, however many
 * of its files are triaged, and concurrent requests share the one scan in progress.
 */
export class FolderScans {
  readonly #lister: FolderLister;
  readonly #cache: boolean;
  readonly #key: (folder: string) => string;
  readonly #keep: number;
  readonly #scans = new Map<string, Promise<FolderScan>>();
  /** Folders scanned so far (each listed once when caching). */
  scansStarted = 0;

  constructor(lister: FolderLister, options: FolderScansOptions = {}) {
    this.#lister = lister;
    this.#cache = options.cache ?? true;
    this.#key = options.key ?? ((f) => f);
    this.#keep = Math.max(1, options.keep ?? KEPT_FOLDER_SCANS);
  }

  /** The scan of `folder`, started on first request. */
  scan(folder: string): Promise<FolderScan> {
    const key = this.#key(folder);
    const known = this.#cache ? this.#scans.get(key) : undefined;
    if (known) {
      // Most recently used last (a Map keeps insertion order).
      this.#scans.delete(key);
      this.#scans.set(key, known);
      return known;
    }
    this.scansStarted++;
    const started = scanFolder(folder, this.#lister);
    if (this.#cache) {
      this.#scans.set(key, started);
      if (this.#scans.size > this.#keep) this.#scans.delete(this.#scans.keys().next().value!);
    }
    return started;
  }

  /**
   * The load positions `fileName` gets from the other modules of `folder`.
   * @param folderPath - see {@link sideLoadersOf}.
   */
  async sideLoadersOf(folder: string, fileName: string, folderPath?: string): Promise<SideLoading> {
    return sideLoadersOf(await this.scan(folder), fileName, folderPath);
  }
}

/**
 * A {@link FolderLister} over a file-system port (snapshots, bundles, host files): Windows paths
 * throughout, or the port's host paths named by their Windows paths when it has
 * {@link FileSystemPort.hostNaming}.
 */
export function fileSystemLister(fs: FileSystemPort): FolderLister {
  const naming = fs.hostNaming;
  return async (folder) => {
    const entries = await fs.list(folder);
    return entries
      ?.filter((e) => e.kind === "file")
      .map((e) => {
        const path = naming ? naming.join(folder, e.name) : joinWindowsPath(folder, e.name);
        // The listing gives the size, so scanFolder never asks for a file over the cap.
        return {
          name: e.name,
          where: naming ? naming.evidenceName(folder, e.name) : path,
          size: e.size,
          read: (maxBytes: number) => fs.readFile(path, maxBytes),
          open: fs.openFile && ((maxBytes: number) => fs.openFile!(path, maxBytes)),
          carriedImports: async () => (await fs.carriedPeFacts?.(path))?.imports,
        };
      });
  };
}

/**
 * One run's folder scans over a file-system port, keyed as the port's folders are: Windows
 * folders case-insensitively, host folders by the port's `hostNaming.folderKey`.
 */
export function fileSystemFolderScans(
  fs: FileSystemPort,
  options: Omit<FolderScansOptions, "key"> = {},
): FolderScans {
  const key = fs.hostNaming ? (f: string) => fs.hostNaming!.folderKey(f) : windowsPathKey;
  return new FolderScans(fileSystemLister(fs), { ...options, key });
}
