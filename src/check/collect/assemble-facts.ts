/**
 * Assembling {@link MachineFacts} from what the collectors found and what the triage phase
 * judged: pure, no port is read. A family whose collector was skipped or timed out is empty
 * (or `undefined` where the facts allow it) with its reason in `unknown` and, unless the mode
 * cannot see it at all, in `notCollected`.
 */
import type { ConnectorKnowledge } from "../../knowledge/index.js";
import { windowsBasename } from "../../paths/windows-path.js";
import type { Snapshot } from "../../ports/snapshot.js";
import type { TriageRecord } from "../../triage/index.js";
import type { FileFact, MachineFacts } from "../facts.js";
import type { CollectorRun } from "./run-collectors.js";
import { sourceHost } from "./host.js";
import { MAX_STRAY_ENTRIES } from "./strays.js";

/** Modules whose presence in a process matters to KOFF: the provider and the Firebird engine. */
const INTERESTING_MODULE = /^(kofmsp|fbclient|fbembed|engine1\d)/i;

/** The inventory fact of a triaged binary. */
function fileFactOf(path: string, r: TriageRecord): FileFact {
  return {
    path,
    size: r.size,
    sha256: r.sha256,
    machine: r.pe?.machine,
    fileVersion: r.pe?.versionInfo?.fileVersion ?? r.pe?.versionInfo?.strings["FileVersion"],
    companyName: r.pe?.versionInfo?.strings["CompanyName"],
  };
}

/** Facts not seen: the snapshot's reasons, the collectors' notes, then the stray and disk notes. */
function unknownOf(snapshot: Snapshot, run: CollectorRun): Record<string, string> {
  const unknown = { ...snapshot.unknown, ...run.unknown };
  if (run.collected.strayWalkCapped)
    unknown["strays"] = `the search for stray provider DLLs stopped after ${MAX_STRAY_ENTRIES} entries`;
  // A disk collector that timed out or was skipped has its own reason (in notCollected).
  if (run.collected.freeDiskBytes === undefined && run.notCollected.freeDiskBytes === undefined)
    unknown["freeDiskBytes"] ??= "free disk space is unknown in this mode";
  return unknown;
}

/**
 * The facts of one run.
 * @param records - triage records aligned with `run.triage` (`undefined` where a file was not there).
 */
export function assembleFacts(
  snapshot: Snapshot,
  k: ConnectorKnowledge,
  run: CollectorRun,
  records: ReadonlyArray<TriageRecord | undefined>,
): MachineFacts {
  const c = run.collected;
  const binaries = run.triage.flatMap((t, i) =>
    t.collector === "install" && records[i] ? [fileFactOf(t.path, records[i])] : [],
  );
  return {
    mode: snapshot.mode,
    source: snapshot.describe(),
    host: c.host ?? sourceHost(snapshot.describe()),
    users: c.users ?? [],
    install: {
      uninstallEntries: c.install?.uninstallEntries ?? [],
      folders: c.install?.folders ?? [],
      binaries,
      providerDlls: binaries.filter((b) =>
        k.providerDllNames.includes(windowsBasename(b.path).toLowerCase()),
      ),
    },
    updater: c.updater ?? { installed: false, evidence: [] },
    office: c.office ?? { found: false, sources: [] },
    profiles: c.profiles ?? [],
    defaultProfiles: c.defaultProfiles ?? [],
    mapisvc: c.mapisvc ?? { files: [], registrations: [] },
    caches: c.caches ?? [],
    cacheRoots: c.cacheRoots ?? [],
    defender: c.defender ?? { exclusions: [] },
    strays: c.strays ?? [],
    freeDiskBytes: c.freeDiskBytes,
    damagedUserHives: c.damagedUserHives ?? [],
    processes: c.processes?.map((p) => ({
      image: p.image,
      pid: p.pid,
      modules: p.modules?.filter((m) => INTERESTING_MODULE.test(m)),
    })),
    events: c.events,
    triage: records.filter((r): r is TriageRecord => r !== undefined),
    unknown: unknownOf(snapshot, run),
    // Absent when everything was collected, so a complete run's facts read as before.
    ...(Object.keys(run.notCollected).length > 0 ? { notCollected: { ...run.notCollected } } : {}),
  };
}
