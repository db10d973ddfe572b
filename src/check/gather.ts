/**
 * Collecting, then triage: reads a {@link Snapshot} into {@link MachineFacts}. The collectors
 * (src/check/collect/) run first, each declaring the ports it reads and its time limit; then
 * the PE files they named are triaged in one phase ({@link triageSnapshotFiles}) with the load
 * positions collection found; then the facts are assembled. Every read goes through the
 * snapshot's ports, so the same code serves image, bundle and live modes. Nothing is judged
 * here (the checks do that) and nothing is written.
 *
 * Source: https://osquery.readthedocs.io/en/stable/ (collection as declared tables, kept apart
 * from the queries that judge them).
 */
import type { ConnectorKnowledge } from "../knowledge/index.js";
import { isUnderWindowsPath, windowsBasename, windowsPathKey } from "../paths/windows-path.js";
import type { Snapshot } from "../ports/snapshot.js";
import type { FolderScans } from "../triage/sibling-loaders.js";
import { isOutbound } from "../windows/tool-output/netstat.js";
import type { LoadingProcess, LoadPosition, SignatureVerifier } from "../triage/index.js";
import { triageSnapshotFiles, type FileLoadContext } from "../triage/triage-snapshot-files.js";
import { assembleFacts, COLLECTORS, runCollectors, type Collected } from "./collect/index.js";
import type { MachineFacts } from "./facts.js";

export interface GatherOptions {
  knowledge: ConnectorKnowledge;
  verifySignature: SignatureVerifier;
  /** Kerio Connect server host name(s) (`--server`), to tell its connections from others. */
  kerioServers?: string[];
  /** The run's folder scans for the side-loading search (default: a new cache for this call). */
  folderScans?: FolderScans;
  /** Multiplies every collector's time limit (default 1; tests shrink it to provoke timeouts). */
  timeLimitScale?: number;
}

/**
 * Live mode: the processes that have the file at `path` loaded, with their outbound connections;
 * `undefined` when that cannot be told. tasklist /m names modules without their folder, so a
 * process that loaded "kofmsp32.dll" cannot be attributed to a copy outside the install folders
 * when the install holds a file of that name; and with module lists unread, "none" is unknown.
 */
function loadingProcessesOf(c: Partial<Collected>, path: string): LoadingProcess[] | undefined {
  if (!c.processes) return undefined;
  const name = windowsBasename(path).toLowerCase();
  const installNames = new Set((c.binaryPaths ?? []).map((p) => windowsBasename(p).toLowerCase()));
  const inInstall = (c.install?.folders ?? []).some((f) => isUnderWindowsPath(path, f));
  const hosts = c.processes.filter((p) => p.modules?.some((m) => m.toLowerCase() === name));
  if (!inInstall && installNames.has(name) && hosts.length > 0) return undefined;
  const unreadable = c.unreadableModuleHosts;
  if (hosts.length === 0 && (unreadable === undefined || unreadable.length > 0)) return undefined;
  return hosts.map((p) => ({
    image: p.image,
    pid: p.pid,
    connections: c.connections?.filter((x) => x.pid === p.pid && isOutbound(x)).map((x) => x.remote),
  }));
}

/** What collection knows about loading the file at `path`: processes, MAPISVC.INF, profiles. */
function loadContextOf(c: Partial<Collected>, path: string): FileLoadContext {
  const key = windowsPathKey(path);
  const loadingProcesses = loadingProcessesOf(c, path);
  const loadPositions: LoadPosition[] = [
    ...(loadingProcesses ?? []).map((p): LoadPosition => ({
      kind: "loaded-by-process",
      where: `${p.image} (pid ${p.pid})`,
    })),
    ...(c.mapisvc?.registrations ?? [])
      .filter((r) => r.loadPath && windowsPathKey(r.loadPath) === key)
      .map((r): LoadPosition => ({
        kind: "mapisvc-inf",
        where: `${r.file} [${r.section}] ${r.key}=${r.registered}`,
      })),
    ...(c.profileTargets ?? [])
      .filter((t) => windowsPathKey(t.path) === key)
      .map((t): LoadPosition => ({ kind: "outlook-profile", where: t.where })),
  ];
  return { loadPositions, loadingProcesses };
}

/**
 * Reads everything `check` judges from `snapshot`: runs {@link COLLECTORS}, triages the PE files
 * they named (connector binaries, stray provider DLLs), and assembles the facts.
 * Never throws for odd or damaged content (parsers' typed errors become facts); port failures
 * propagate. A collector past its time limit leaves its family unknown, with the reason.
 */
export async function gatherFacts(snapshot: Snapshot, options: GatherOptions): Promise<MachineFacts> {
  const k = options.knowledge;
  const run = await runCollectors(snapshot, COLLECTORS, {
    knowledge: k,
    timeLimitScale: options.timeLimitScale,
  });
  const c = run.collected;
  // An install folder found through its Uninstall entry is as much the vendor's as the default one.
  const installFolders = [...new Set([...k.installFolders, ...(c.install?.folders ?? [])])];
  const records = await triageSnapshotFiles(
    snapshot,
    run.triage.map((t) => t.path),
    {
      knowledge: { ...k, installFolders },
      verifySignature: options.verifySignature,
      kerioServers: options.kerioServers,
      folderScans: options.folderScans,
      contextOf: (path) => loadContextOf(c, path),
    },
  );
  return assembleFacts(snapshot, k, run, records);
}
