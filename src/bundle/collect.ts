/**
 * `collect`: runs `check` on a source snapshot (image or live) through recording ports and
 * packs everything into a diagnostics bundle. This is the driver; each member family is written
 * by a phase of its own under src/bundle/collect/, in this order:
 *
 * 1. record: system facts and the whole check, through the recording snapshot
 *    (system-facts.ts; the recorded answers are what `check --bundle` replays);
 * 2. read what travels but is not replayed, through the source's ports: log tails
 *    (log-tails.ts) and the relevant event records (event-logs.ts);
 * 3. redact (with `redact`): find the values, redact the recordings (sensitive-values.ts,
 *    redact-recording.ts); binaries are never edited;
 * 4. write the members: the recorded file system, the facts of withheld PE files, the recorded
 *    registry (recording-members.ts, withheld-pe-facts.ts), `check.json`, `triage.json`,
 *    `system.json`, the fact families (report-members.ts), logs and events;
 * 5. name the binary members that still hold a value (unredacted-members.ts) and seal the
 *    manifest.
 *
 * Source: docs/bundle.md ("How it works: record, then replay", "Layout", "Redaction").
 */
import { randomUUID } from "node:crypto";
import { checkMachine, type CheckReport } from "../app/check-machine.js";
import { hashedMachineGuid } from "../check/collect/host.js";
import type { HostFacts } from "../check/facts.js";
import type { Snapshot } from "../ports/snapshot.js";
import { loadKnowledge } from "../knowledge/index.js";
import { toolInfo } from "../version.js";
import { BundleMembers } from "./collect/bundle-members.js";
import { readEventLogs, writeEventMembers } from "./collect/event-logs.js";
import { readLogTails, writeLogMembers } from "./collect/log-tails.js";
import { writeFileSystemMembers, writeRegistryMembers } from "./collect/recording-members.js";
import { redactRecording } from "./collect/redact-recording.js";
import { writeCheckMembers, writeFactMembers } from "./collect/report-members.js";
import { readSystemFacts, writeSystemMember } from "./collect/system-facts.js";
import { findUnredactedMembers } from "./collect/unredacted-members.js";
import { writePeFactsMember } from "./collect/withheld-pe-facts.js";
import { DEFAULT_COLLECT_LIMITS, type BundleCollectLimits } from "./limits.js";
import { MEMBER } from "./layout.js";
import { defang, DEFANG_SCHEME, DEFANG_SUFFIX, needsDefang } from "./defang.js";
import {
  sha256Hex,
  type BundleManifest,
  type ManifestHost,
  type ManifestMember,
  type UnredactedMember,
} from "./manifest.js";
import { recordingSnapshot } from "./recording.js";
import type { RedactionEntry, SkippedValue } from "./redaction.js";
import type { ZipInput } from "./zip-writer.js";

/** Options of {@link collectBundle}. */
export interface CollectOptions {
  /** Signature verification time of the embedded check (default now). */
  at?: Date;
  /** Extra trust anchors (PEM/DER files) for the embedded check. */
  trustFiles?: string[];
  /** Replace user names, e-mail addresses, host and domain names. */
  redact?: boolean;
  /** Host paths that name the source (the image folder): redacted as `path-N`. */
  sourcePaths?: string[];
  /** Collection caps. */
  limits?: Partial<BundleCollectLimits>;
  /** The bundle's creation time (default now). */
  createdAt?: Date;
}

/** What {@link collectBundle} made. */
export interface CollectedBundle {
  members: ZipInput[];
  manifest: BundleManifest;
  /** The check run on the source (unredacted). */
  report: CheckReport;
  /** With `redact`: the mapping, for the local `.redaction-map.json` only (never in the bundle). */
  redaction?: {
    entries: readonly RedactionEntry[];
    skipped: readonly SkippedValue[];
  };
}

/**
 * Collects a bundle from `source`. Reads only; writes nothing (see {@link writeBundle}).
 * Port failures of the source propagate.
 */
export async function collectBundle(
  source: Snapshot,
  options: CollectOptions = {},
): Promise<CollectedBundle> {
  const limits: BundleCollectLimits = { ...DEFAULT_COLLECT_LIMITS, ...options.limits };
  const createdAt = options.createdAt ?? new Date();
  const notes: string[] = [];

  // 1. Record: every answer `check` gets is kept, and `check --bundle` replays it.
  const { snapshot, recording } = recordingSnapshot(source);
  const system = await readSystemFacts(snapshot.registry);
  // The collection's run: check.json and the manifest carry the same id and time.
  const report = await checkMachine(snapshot, {
    at: options.at,
    trustFiles: options.trustFiles,
    runId: randomUUID(),
    collectedAt: createdAt,
  });

  // 2. Carried, not replayed: read through the source's own ports.
  const logs = await readLogTails(source.fs, report, limits, notes);
  const events = await readEventLogs(source, loadKnowledge(), limits.maxEvents, notes);

  // 3. Redact (or pass the recording through).
  const redacted = redactRecording(
    recording,
    options.redact === true,
    {
      users: report.facts.users,
      host: report.facts.host,
      system,
      texts: logs.map((l) => l.data),
      sourcePaths: options.sourcePaths ?? [],
    },
    notes,
  );

  // 4. Members, in this order (the manifest's `unredacted` list follows it). A redacted bundle
  // names the host by its hashed MachineGuid (the redactor replaces the GUID by that hash).
  const out = new BundleMembers(redacted.redactor);
  const shown = redacted.redactor ? withHashedHostId(report) : report;
  const entries = writeFileSystemMembers(out, redacted.fs, limits.maxFileBytes, notes);
  await writePeFactsMember(out, source, report, redacted.withheld, options);
  writeRegistryMembers(out, redacted.registry);
  writeCheckMembers(out, shown);
  writeSystemMember(out, {
    source,
    createdAt,
    system,
    report,
    recordedFreeDiskBytes: recording.freeDiskBytes,
  });
  writeFactMembers(out, report, entries);
  writeLogMembers(out, logs, limits.logTailBytes);
  writeEventMembers(out, events);

  // 5. Seal.
  const unredacted = findUnredactedMembers(out, entries, redacted);
  return sealBundle(out, { source, createdAt, limits, notes, unredacted, report, host: shown.facts.host });
}

/**
 * `report` as a redacted bundle shows it: a host named by its MachineGuid gets the GUID's hash
 * as its id (`idSource: "machine-guid-sha256"`), as `check --bundle` of the bundle reads it.
 */
function withHashedHostId(report: CheckReport): CheckReport {
  const host = report.facts.host;
  if (host.idSource !== "machine-guid") return report;
  const hashed: HostFacts = { ...host, id: hashedMachineGuid(host.id), idSource: "machine-guid-sha256" };
  return { ...report, facts: { ...report.facts, host: hashed } };
}

/**
 * The members as the zip stores them, sorted by stored name, each with its manifest line: a
 * member starting with `MZ` is defanged (src/bundle/defang.ts) under `<name>.defanged`.
 */
function storedMembers(
  list: Array<[string, Uint8Array]>,
): Array<{ entry: ManifestMember; data: Uint8Array }> {
  const taken = new Set(list.map(([name]) => name.toLowerCase()));
  const out = list.map(([path, data]): { entry: ManifestMember; data: Uint8Array } => {
    if (!needsDefang(data)) return { entry: { path, size: data.length, sha256: sha256Hex(data) }, data };
    let stored = `${path}${DEFANG_SUFFIX}`;
    // A real member of that name (a file named `x.dll.defanged` beside `x.dll`): keep both.
    if (taken.has(stored.toLowerCase())) stored = `${path}.${sha256Hex(data).slice(0, 16)}${DEFANG_SUFFIX}`;
    taken.add(stored.toLowerCase());
    const bytes = defang(data);
    const real = { path, size: data.length, sha256: sha256Hex(data), scheme: DEFANG_SCHEME };
    return {
      entry: { path: stored, size: bytes.length, sha256: sha256Hex(bytes), defanged: real },
      data: bytes,
    };
  });
  return out.sort((a, b) => (a.entry.path < b.entry.path ? -1 : a.entry.path > b.entry.path ? 1 : 0));
}

/** What {@link sealBundle} needs besides the members. */
interface SealInput {
  source: Snapshot;
  createdAt: Date;
  limits: BundleCollectLimits;
  notes: readonly string[];
  /** Members holding a redacted value (listed only in a redacted bundle's manifest). */
  unredacted: UnredactedMember[];
  report: CheckReport;
  /** The host block as the bundle shows it (the id hashed in a redacted bundle). */
  host: HostFacts;
}

/**
 * The bundle: the members sorted by name, then `manifest.json` listing each with its size and
 * sha256 (redacted as JSON, as are the source description and the notes). Reads no port.
 */
function sealBundle(out: BundleMembers, input: SealInput): CollectedBundle {
  const r = out.redactor;
  const list = storedMembers(out.sorted());
  const manifest: BundleManifest = {
    schemaVersion: 1,
    kind: "koff-doctor-bundle",
    tool: toolInfo(),
    createdAt: input.createdAt.toISOString(),
    runId: input.report.runId,
    host: (r ? r.redactJson(input.host) : input.host) as ManifestHost,
    mode: input.source.mode,
    source: out.text(input.source.describe()),
    redacted: r !== undefined,
    ...(r ? { unredacted: input.unredacted } : {}),
    caps: { ...input.limits },
    notes: input.notes.map((n) => out.text(n)),
    members: list.map((m) => m.entry),
  };
  return {
    members: [
      ...list.map((m) => ({ name: m.entry.path, data: m.data })),
      { name: MEMBER.manifest, data: out.jsonOf(manifest) },
    ],
    manifest,
    report: input.report,
    ...(r ? { redaction: { entries: r.entries, skipped: r.skipped } } : {}),
  };
}
