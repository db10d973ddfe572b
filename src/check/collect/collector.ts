/**
 * A collector: one family of {@link MachineFacts}, read from a {@link Snapshot} and nothing
 * else. It declares the snapshot ports it reads and a time limit; it records facts, the PE
 * files that need triage and what it could not see, and never judges (findings are made by the
 * checks, src/check/checks/, from the assembled facts). Modelled on osquery tables and
 * Velociraptor artifacts: a named query with declared sources, run by a generic runner.
 *
 * Source: https://osquery.readthedocs.io/en/stable/development/osquery-sdk/ (tables);
 * https://docs.velociraptor.app/docs/vql/artifacts/ (artifacts with declared sources).
 */
import type { ConnectorKnowledge } from "../../knowledge/index.js";
import type { Connection, ProcessInfo } from "../../ports/system.js";
import type { Snapshot } from "../../ports/snapshot.js";
import type {
  CacheFact,
  DefaultProfileFact,
  DefenderFacts,
  InstallFacts,
  MachineFacts,
  MapisvcFacts,
  OfficeFacts,
  ProfileFact,
  StrayFact,
  UpdaterFacts,
} from "../facts.js";

/** The snapshot ports a collector may read. */
export type PortName = "fs" | "registry" | "processes" | "network" | "eventLog" | "disk";

/** A full-path provider DLL an Outlook profile registers, and where. */
export interface ProfileTarget {
  /** Windows path, normalized. */
  path: string;
  /** Evidence: `alice: profile "Outlook" HKU\…`. */
  where: string;
}

/**
 * Everything the collectors find: the fact families, and what later collectors and the triage
 * phase need besides (full process list, registered load targets, PE files to triage).
 */
export interface Collected {
  users: string[];
  install: Omit<InstallFacts, "binaries" | "providerDlls">;
  /** `.dll`/`.exe` files of the install folders, in walk order (each triaged). */
  binaryPaths: string[];
  updater: UpdaterFacts;
  office: OfficeFacts;
  profiles: ProfileFact[];
  defaultProfiles: DefaultProfileFact[];
  profileTargets: ProfileTarget[];
  mapisvc: MapisvcFacts;
  defender: DefenderFacts;
  caches: CacheFact[];
  cacheRoots: MachineFacts["cacheRoots"];
  strays: StrayFact[];
  /** True when the stray search stopped at its entry cap. */
  strayWalkCapped: boolean;
  /** Every process with every module (the facts keep only the modules of interest). */
  processes: ProcessInfo[];
  connections: Connection[];
  /** Image names of possible provider hosts whose module list could not be read. */
  unreadableModuleHosts: string[];
  events: NonNullable<MachineFacts["events"]>;
  freeDiskBytes: number | undefined;
  damagedUserHives: string[];
}

/** What one collector gives back. */
export interface Collection {
  facts: Partial<Collected>;
  /** Facts it could not see, with the reason (merged into `MachineFacts.unknown`, in collector order). */
  unknown?: Record<string, string>;
  /** PE files (snapshot paths) that need triage, in order. */
  triage?: readonly string[];
}

/** What a collector may read besides the snapshot: knowledge, and what earlier collectors found. */
export interface CollectContext {
  readonly knowledge: ConnectorKnowledge;
  /** Facts of the collectors run before it (a family is absent when its collector was skipped or timed out). */
  readonly collected: Readonly<Partial<Collected>>;
}

export interface Collector {
  /** Family name, also the `unknown` key when it times out or is skipped. */
  readonly name: string;
  /** The snapshot ports it reads; it is skipped when the snapshot lacks one. */
  readonly needs: readonly PortName[];
  /** Milliseconds it may take; past that its facts are unknown (never empty-and-ok). */
  readonly timeLimitMs: number;
  collect(snapshot: Snapshot, context: CollectContext): Promise<Collection>;
}

/** The `unknown` key of each optional port (as the snapshots and MachineFacts name it). */
export const PORT_FACT: Readonly<Record<PortName, string>> = {
  fs: "fs",
  registry: "registry",
  processes: "processes",
  network: "network",
  eventLog: "events",
  disk: "freeDiskBytes",
};
