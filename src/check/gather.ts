/**
 * Collecting: reads a {@link Snapshot} into {@link MachineFacts}. Every read goes through the
 * snapshot's ports, so the same code serves image, bundle and live modes. Walks are bounded
 * (depth and entry caps) and nothing is written.
 *
 * Source: PRODUCT.md "check"; research/koff-facts.md §1–3, §7; windows-mapi-facts.md §1–4.
 */
import { READ_LIMITS } from "../limits.js";
import { readFirebirdHeader } from "../firebird/header-page.js";
import type { ConnectorKnowledge } from "../knowledge/index.js";
import {
  expandWindowsPath,
  isWindowsPath,
  isUnderWindowsPath,
  joinWindowsPath,
  normalizeWindowsPath,
  windowsBasename,
  windowsDirname,
  windowsPathKey,
} from "../paths/windows-path.js";
import type { DirEntry, FileSystemPort } from "../ports/file-system.js";
import type { Snapshot } from "../ports/snapshot.js";
import { classifyLocation } from "../triage/location.js";
import { fileSystemFolderScans, type FolderScans, type SideLoading } from "../triage/sibling-loaders.js";
import { isOutbound } from "../windows/tool-output/netstat.js";
import {
  triageFile,
  type LoadingProcess,
  type LoadPosition,
  type SignatureVerifier,
  type TriageRecord,
} from "../triage/index.js";
import {
  locateMapiSvcInf,
  readDefenderExclusions,
  readOfficeInstall,
  readOutlookProfiles,
  readUninstallEntries,
  mapiLoadName,
  valueAsString,
  findValue,
  type MapiDllNameIssue,
} from "../windows/index.js";
import type {
  CacheFact,
  FileFact,
  MachineFacts,
  MapisvcRegistration,
  ProfileFact,
  StrayFact,
} from "./facts.js";

/** Largest binary read for triage, in bytes (src/limits.ts). */
const MAX_BINARY_BYTES = READ_LIMITS.peFileBytes;
/** Bytes of a cache database read to judge its header page. */
const FDB_HEAD_BYTES = 4096;
/** Entries listed per bounded walk (strays, caches), so a huge profile cannot stall the run. */
const MAX_WALK_ENTRIES = 20_000;
/** Profile folders that are not users. */
const NON_USER_FOLDERS = new Set(["public", "default", "default user", "all users", "defaultapppool"]);
/** Executable file extensions inventoried in install folders. */
const BINARY_EXT = /\.(dll|exe)$/i;

/** Per-user places a planted or leftover provider DLL turns up, with walk depth. */
const USER_STRAY_SPOTS: Array<[string, number]> = [
  ["AppData\\Roaming", 4],
  ["AppData\\Local\\Temp", 3],
  ["AppData\\LocalLow", 3],
  ["Downloads", 3],
  ["Desktop", 2],
  ["Documents", 2],
];
/** Machine-wide places, with walk depth (0 = the folder itself only). */
const MACHINE_STRAY_SPOTS: Array<[string, number]> = [
  ["C:\\Windows\\Temp", 2],
  ["C:\\Temp", 2],
  ["C:\\ProgramData", 3],
  ["C:\\Users\\Public", 3],
  ["C:\\Windows", 0],
  ["C:\\Windows\\System32", 0],
  ["C:\\Windows\\SysWOW64", 0],
];

export interface GatherOptions {
  knowledge: ConnectorKnowledge;
  verifySignature: SignatureVerifier;
  /** Kerio Connect server host name(s) (`--server`), to tell its connections from others. */
  kerioServers?: string[];
  /** The run's folder scans for the side-loading search (default: a new cache for this call). */
  folderScans?: FolderScans;
}

/** Modules whose presence in a process matters to KOFF: the provider and the Firebird engine. */
const INTERESTING_MODULE = /^(kofmsp|fbclient|fbembed|engine1\d)/i;
/** Event-log records read from the Application log (newest first). */
const EVENTS_READ = 2000;

/** Lists `dir` recursively to `depth`, calling `visit` on files; stops after `budget.left` entries. */
async function walk(
  fs: FileSystemPort,
  dir: string,
  depth: number,
  budget: { left: number },
  visit: (path: string, entry: DirEntry) => void,
): Promise<void> {
  const entries = await fs.list(dir);
  if (!entries) return;
  for (const e of entries) {
    if (--budget.left < 0) return;
    const full = joinWindowsPath(dir, e.name);
    if (e.kind === "file") visit(full, e);
    else if (depth > 0) await walk(fs, full, depth - 1, budget, visit);
  }
}

async function listUsers(snapshot: Snapshot): Promise<string[]> {
  const names = new Map<string, string>();
  for (const u of await snapshot.registry.users()) names.set(u.user.toLowerCase(), u.user);
  for (const e of (await snapshot.fs.list("C:\\Users")) ?? []) {
    if (e.kind === "dir" && !NON_USER_FOLDERS.has(e.name.toLowerCase()))
      names.set(e.name.toLowerCase(), names.get(e.name.toLowerCase()) ?? e.name);
  }
  return [...names.values()].sort();
}

function mapIssues(issues: readonly MapiDllNameIssue[], bare: boolean): string[] {
  const out = new Set<string>();
  for (const i of issues) {
    if (i === "period-in-directory" || i === "multiple-periods-in-name") out.add("extra-periods");
    else if (i === "already-has-32") out.add("has-32");
    else out.add(i);
  }
  if (bare) out.add("bare-name");
  return [...out];
}

/**
 * Reads everything `check` judges from `snapshot`.
 * Never throws for odd or damaged content (parsers' typed errors become facts); port failures propagate.
 */
export async function gatherFacts(snapshot: Snapshot, options: GatherOptions): Promise<MachineFacts> {
  const { fs, registry } = snapshot;
  const k = options.knowledge;
  const users = await listUsers(snapshot);
  /** Facts this run could not see, with the reason (merged into `unknown`). */
  const unknownNotes: Record<string, string> = {};
  // Live: the long, real path (8.3 short names such as PROGRA~2 would defeat folder comparisons).
  // (Only a file system whose host paths are Windows paths, i.e. the machine's own, can say.)
  const canonical = async (p: string | undefined): Promise<string | undefined> => {
    if (p === undefined || snapshot.mode !== "live") return p;
    const real = await fs.hostPath?.(p);
    return real !== undefined && isWindowsPath(real) ? real : p;
  };

  // Install: Uninstall entries, folders, binaries.
  const uninstall = await readUninstallEntries(registry, {
    displayNamePattern: k.uninstallDisplayNamePattern,
  });
  const folderCandidates = [
    ...k.installFolders,
    ...uninstall.entries
      .map((e) => e.installLocation)
      .filter((p): p is string => !!p && /^[a-z]:\\/i.test(p)),
  ];
  const folders: string[] = [];
  for (const f of folderCandidates) {
    const norm = normalizeWindowsPath(f);
    if (folders.some((x) => windowsPathKey(x) === windowsPathKey(norm))) continue;
    if ((await fs.stat(norm))?.kind === "dir") folders.push((await canonical(norm)) ?? norm);
  }
  const binaryPaths: string[] = [];
  for (const folder of folders) {
    await walk(fs, folder, 2, { left: MAX_WALK_ENTRIES }, (p) => {
      if (BINARY_EXT.test(p)) binaryPaths.push(p);
    });
  }

  // Updater service.
  const updaterEntries = await readUninstallEntries(registry, {
    displayNamePattern: k.updaterDisplayNamePattern,
  });
  const updaterFolder = (await fs.stat(k.updaterService.folder))?.kind === "dir";
  const updaterEvidence = [
    ...updaterEntries.entries.map((e) => `Uninstall entry ${e.key}`),
    ...(updaterFolder ? [`folder ${k.updaterService.folder}`] : []),
  ];

  // Office, profiles, MAPISVC.INF, Defender.
  const office = await readOfficeInstall(registry);
  const profilesRead = await readOutlookProfiles(registry, { koffDllPattern: k.providerDllPattern });
  const mapisvc = await locateMapiSvcInf(fs, { registry, koffDllPattern: k.providerDllPattern });
  const defender = await readDefenderExclusions(registry);

  // A service is KOFF's when its DLL is named like the provider, or when its [Services] display
  // name is the product's: a planted DLL under another name must not hide the registration.
  const isKoffService = (s: { isKoff: boolean; displayName?: string }) =>
    s.isKoff || k.productNamePattern.test(s.displayName ?? "");
  const registrations: MapisvcRegistration[] = [];
  for (const file of mapisvc.files) {
    // The locator builds candidate paths from its own spelling; report the file as stored.
    const infPath = await canonicalCase(fs, windowsPathKey(file.path));
    for (const service of file.services.filter(isKoffService)) {
      const refs = [
        ...(service.dll ? [service.dll] : []),
        ...service.providers.flatMap((p) => (p.dll ? [p.dll] : [])),
      ];
      for (const ref of refs) {
        const loadPath = await canonical(
          ref.resolved ?? (ref.load.isFullPath ? normalizeWindowsPath(ref.load.loadName) : undefined),
        );
        if (
          registrations.some(
            (r) => r.file === infPath && r.loadPath === loadPath && r.registered === ref.load.registered,
          )
        )
          continue;
        registrations.push({
          file: infPath,
          section: service.section,
          key: ref.key,
          registered: ref.load.registered,
          loadPath,
          resolved: ref.resolved !== undefined,
          issues: mapIssues(ref.load.issues, ref.load.isBareName),
        });
      }
    }
  }

  const profiles: ProfileFact[] = profilesRead.profiles.map((p) => ({
    user: p.user,
    layout: p.office,
    name: p.name,
    key: p.key,
    isDefault: p.isDefault,
    hasKoff: p.services.some(isKoffService),
    services: p.services.map((s) => ({
      uid: s.uid,
      serviceName: s.serviceName,
      dllName: s.dllName,
      entryName: s.entryName,
      isKoff: isKoffService(s),
    })),
  }));

  // Caches, per user.
  const caches: CacheFact[] = [];
  const cacheRoots: MachineFacts["cacheRoots"] = [];
  for (const user of users) {
    const shellFolders = await registry.getKey(
      `HKU\\${user}\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell Folders`,
    );
    const localAppData = shellFolders && valueAsString(findValue(shellFolders, "Local AppData"));
    const onNetwork = localAppData?.startsWith("\\\\") ?? false;
    const root = expandWindowsPath(k.cacheRoot, user);
    const rootStat = await fs.stat(root);
    if (rootStat?.kind !== "dir" && !onNetwork) continue;
    cacheRoots.push({
      user,
      path: onNetwork ? `${localAppData}\\Kerio\\Outlook Connector` : root,
      onNetwork,
    });
    if (onNetwork) {
      // The caches live on the share, which this snapshot cannot read: unknown, not absent.
      unknownNotes[`caches:${user}`] =
        `Local AppData is redirected to ${localAppData}; the caches there are not visible`;
      continue;
    }
    for (const entry of (await fs.list(root)) ?? []) {
      if (entry.kind !== "dir") continue;
      const path = joinWindowsPath(root, entry.name);
      const cache: CacheFact = { user, profile: entry.name, path, files: 0, bytes: 0, databases: [] };
      const fdbs: Array<{ path: string; name: string; size: number }> = [];
      await walk(fs, path, 3, { left: MAX_WALK_ENTRIES }, (p, e) => {
        cache.files++;
        cache.bytes += e.size;
        if (e.name.toLowerCase().endsWith(k.databaseExtension))
          fdbs.push({ path: p, name: p.slice(path.length + 1), size: e.size });
      });
      for (const db of fdbs) {
        const head = await fs.readHead(db.path, FDB_HEAD_BYTES);
        const h = head ? readFirebirdHeader(head, db.size) : undefined;
        cache.databases.push({
          name: db.name,
          size: db.size,
          valid: h?.valid ?? false,
          problems: h ? h.problems : ["unreadable"],
          odsMajor: h?.odsMajor,
          pageSize: h?.pageSize,
        });
      }
      caches.push(cache);
    }
  }

  // Stray provider DLLs outside the vendor folders.
  const strayPaths = new Map<string, number>();
  const budget = { left: MAX_WALK_ENTRIES * 5 };
  const spots: Array<[string, number]> = [
    ...users.flatMap((u) =>
      USER_STRAY_SPOTS.map(([rel, d]): [string, number] => [`C:\\Users\\${u}\\${rel}`, d]),
    ),
    ...MACHINE_STRAY_SPOTS,
  ];
  for (const [spot, depth] of spots) {
    await walk(fs, spot, depth, budget, (p, e) => {
      if (k.providerDllNames.includes(e.name.toLowerCase())) strayPaths.set(windowsPathKey(p), e.size);
    });
  }
  // Registered load paths (MAPISVC.INF, profiles) are searched too, wherever they point.
  const profileTargets: Array<{ path: string; where: string }> = [];
  for (const p of profilesRead.profiles) {
    for (const s of p.services.filter(isKoffService)) {
      for (const dll of [s.dllName, ...s.providers.map((x) => x.dllName)]) {
        if (!dll) continue;
        const load = mapiLoadName(dll);
        if (!load.isFullPath) continue;
        profileTargets.push({
          path: normalizeWindowsPath(load.loadName),
          where: `${p.user}: profile "${p.name}" ${s.key}`,
        });
      }
    }
  }
  const registeredTargets = [...registrations.map((r) => r.loadPath), ...profileTargets.map((t) => t.path)];
  for (const target of registeredTargets) {
    if (!target) continue;
    const st = await fs.stat(target);
    if (st?.kind === "file") strayPaths.set(windowsPathKey(target), st.size);
  }
  const strays: StrayFact[] = [];
  for (const [key] of strayPaths) {
    const path = await canonicalCase(fs, key);
    if (
      k.vendorFolders.some((v) => isUnderWindowsPath(path, v)) ||
      folders.some((f) => isUnderWindowsPath(path, f))
    )
      continue;
    strays.push({ path, size: strayPaths.get(key)!, location: classifyLocation(path, k).label });
  }

  // Live only: processes with their modules, their outbound connections, event-log evidence.
  // A tool that fails makes its facts unknown, never "nothing there".
  const attempt = async <T>(what: string, read: (() => Promise<T>) | undefined): Promise<T | undefined> => {
    if (!read) return undefined;
    try {
      return await read();
    } catch (e) {
      unknownNotes[what] = `could not be read: ${(e as Error).message}`;
      return undefined;
    }
  };
  const processes = await attempt("processes", snapshot.processes && (() => snapshot.processes!.list()));
  const connections = await attempt("network", snapshot.network && (() => snapshot.network!.connections()));
  // Processes whose module list could not be read (tasklist prints N/A without elevation), apart
  // from the always-protected system processes: if any, "not loaded" cannot be concluded.
  // Only processes that could host the provider count: Outlook and KoffBackend, the indexer, the
  // script runners and the generic DLL hosts. Protected services (antivirus, licensing) always
  // show N/A and never load a MAPI provider.
  const hostNames = new Set(
    [
      ...k.expectedHostProcesses,
      ...k.scriptRunnerProcesses,
      "rundll32.exe",
      "regsvr32.exe",
      "svchost.exe",
      "dllhost.exe",
    ].map((n) => n.toLowerCase()),
  );
  const unreadable = (processes ?? []).filter(
    (p) => p.modules === undefined && hostNames.has(p.image.toLowerCase()),
  );
  if (unreadable.length > 0) {
    unknownNotes["processModules"] =
      `modules of ${unreadable.length} process(es) could not be read (run elevated): ${unreadable
        .slice(0, 5)
        .map((p) => p.image)
        .join(", ")}`;
  }
  // tasklist /m names modules without their folder: a process that loaded "kofmsp32.dll" cannot be
  // attributed to a copy outside the install folders when the install holds a file of that name.
  const installNames = new Set(binaryPaths.map((p) => windowsBasename(p).toLowerCase()));
  const loadingProcessesOf = (path: string): LoadingProcess[] | undefined => {
    if (!processes) return undefined;
    const name = windowsBasename(path).toLowerCase();
    const inInstall = folders.some((f) => isUnderWindowsPath(path, f));
    const hosts = processes.filter((p) => p.modules?.some((m) => m.toLowerCase() === name));
    if (!inInstall && installNames.has(name) && hosts.length > 0) return undefined;
    if (hosts.length === 0 && unreadable.length > 0) return undefined;
    return hosts.map((p) => ({
      image: p.image,
      pid: p.pid,
      connections: connections?.filter((c) => c.pid === p.pid && isOutbound(c)).map((c) => c.remote),
    }));
  };
  const events = (
    await attempt("events", snapshot.eventLog && (() => snapshot.eventLog!.query("Application", EVENTS_READ)))
  )
    ?.filter(
      (e) =>
        (e.id === 1000 && e.provider === "Application Error") ||
        e.data.some((d) => k.providerDllPattern.test(d)),
    )
    .map((e) => ({
      log: e.log,
      id: e.id,
      provider: e.provider,
      time: e.time,
      message: e.data.join(" | "),
    }));

  // Triage: connector binaries, strays.
  const folderScans = options.folderScans ?? fileSystemFolderScans(fs);
  const loadPositionsOf = async (
    path: string,
  ): Promise<{ positions: LoadPosition[]; sideLoading: SideLoading }> => {
    const key = windowsPathKey(path);
    const loaded = (loadingProcessesOf(path) ?? []).map((p): LoadPosition => ({
      kind: "loaded-by-process",
      where: `${p.image} (pid ${p.pid})`,
    }));
    const positions: LoadPosition[] = [
      ...loaded,
      ...registrations
        .filter((r) => r.loadPath && windowsPathKey(r.loadPath) === key)
        .map((r): LoadPosition => ({
          kind: "mapisvc-inf",
          where: `${r.file} [${r.section}] ${r.key}=${r.registered}`,
        })),
      ...profileTargets
        .filter((t) => windowsPathKey(t.path) === key)
        .map((t): LoadPosition => ({ kind: "outlook-profile", where: t.where })),
    ];
    const sideLoading = await folderScans.sideLoadersOf(windowsDirname(path), windowsBasename(path));
    return { positions: [...positions, ...sideLoading.positions], sideLoading };
  };
  // An install folder found through its Uninstall entry is as much the vendor's as the default one.
  const triageKnowledge = { ...k, installFolders: [...new Set([...k.installFolders, ...folders])] };
  const triage: TriageRecord[] = [];
  const triageOne = async (path: string): Promise<TriageRecord | undefined> => {
    const bytes = await fs.readFile(path, MAX_BINARY_BYTES);
    // A redacted bundle withholds a PE holding a redacted value and carries its triage record.
    const carried = bytes ? undefined : (await fs.carriedPeFacts?.(path))?.triage;
    if (carried) {
      triage.push(carried);
      return carried;
    }
    if (!bytes) return undefined;
    const { positions, sideLoading } = await loadPositionsOf(path);
    const record = await triageFile(
      {
        path,
        fileName: windowsBasename(path),
        bytes,
        windowsPath: path,
        windowsPathOrigin: snapshot.mode === "live" ? "native" : "image",
        loadPositions: positions,
        siblingSearch: sideLoading.search,
        loadingProcesses: loadingProcessesOf(path),
        kerioServers: options.kerioServers,
      },
      { knowledge: triageKnowledge, verifySignature: options.verifySignature },
    );
    triage.push(record);
    return record;
  };
  const binaries: FileFact[] = [];
  for (const path of binaryPaths) {
    const r = await triageOne(path);
    if (!r) continue;
    binaries.push({
      path,
      size: r.size,
      sha256: r.sha256,
      machine: r.pe?.machine,
      fileVersion: r.pe?.versionInfo?.fileVersion ?? r.pe?.versionInfo?.strings["FileVersion"],
      companyName: r.pe?.versionInfo?.strings["CompanyName"],
    });
  }
  for (const s of strays) await triageOne(s.path);

  const freeDiskBytes = await snapshot.disk?.freeBytes("C:\\");
  // Hives the registry port opened with anomalies (truncated, bad cells): what was read may be partial.
  const damagedUserHives: string[] = [];
  for (const h of await registry.health()) {
    if (h.anomalies.length === 0) continue;
    unknownNotes[`hive:${h.mount}`] =
      `damaged hive (${h.anomalies.length} anomalies, first: ${h.anomalies[0]!.code}); facts read from it may be incomplete`;
    const user = /^HKU\\([^\\]+)$/i.exec(h.mount)?.[1];
    if (user) damagedUserHives.push(user);
  }
  const unknown = { ...snapshot.unknown, ...unknownNotes };
  if (budget.left < 0)
    unknown["strays"] = `the search for stray provider DLLs stopped after ${MAX_WALK_ENTRIES * 5} entries`;
  if (freeDiskBytes === undefined) unknown["freeDiskBytes"] ??= "free disk space is unknown in this mode";

  return {
    mode: snapshot.mode,
    source: snapshot.describe(),
    users,
    install: {
      uninstallEntries: uninstall.entries.map((e) => ({
        key: e.key,
        displayName: e.displayName,
        displayVersion: e.displayVersion,
        installLocation: e.installLocation,
        view: e.view,
      })),
      folders,
      binaries,
      providerDlls: binaries.filter((b) =>
        k.providerDllNames.includes(windowsBasename(b.path).toLowerCase()),
      ),
    },
    updater: {
      installed: updaterEvidence.length > 0,
      evidence:
        updaterEvidence.length > 0
          ? updaterEvidence
          : [
              `no Uninstall entry matching ${k.updaterDisplayNamePattern}`,
              `no folder ${k.updaterService.folder}`,
            ],
    },
    office: {
      found: office.installType !== "none" || office.bitness !== undefined,
      product: office.products.join(", ") || undefined,
      version: office.version,
      bitness: office.bitness,
      channel: office.channel?.name,
      sources: office.evidence,
    },
    profiles,
    defaultProfiles: profilesRead.defaults
      .filter((d) => d.name !== undefined)
      .map((d) => ({ user: d.user, layout: d.office, name: d.name!, key: d.key })),
    mapisvc: {
      files: await Promise.all(mapisvc.files.map((f) => canonicalCase(fs, windowsPathKey(f.path)))),
      registrations,
    },
    caches,
    cacheRoots,
    defender: { exclusions: defender.paths.map((e) => ({ path: e.value, source: e.source })) },
    strays,
    freeDiskBytes,
    damagedUserHives,
    processes: processes?.map((p) => ({
      image: p.image,
      pid: p.pid,
      modules: p.modules?.filter((m) => INTERESTING_MODULE.test(m)),
    })),
    events,
    triage,
    unknown,
  };
}

/** The stored-case spelling of a path we only know by its lower-cased key. */
async function canonicalCase(fs: FileSystemPort, key: string): Promise<string> {
  const parts = key.split("\\");
  let cur = parts[0]!.toUpperCase();
  for (const part of parts.slice(1)) {
    const hit = ((await fs.list(cur === "C:" ? "C:\\" : cur)) ?? []).find(
      (e) => e.name.toLowerCase() === part,
    );
    cur = `${cur}\\${hit?.name ?? part}`;
  }
  return normalizeWindowsPath(cur);
}
