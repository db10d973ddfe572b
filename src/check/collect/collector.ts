/**
 * A collector: one family of {@link MachineFacts}, read from a {@link Snapshot} and nothing
 * else. It declares the snapshot ports it reads, the facts it provides, the facts of earlier
 * collectors it reads, and a time limit; it records facts, the PE files that need triage and
 * what it could not see, and never judges (findings are made by the checks, src/check/checks/,
 * from the assembled facts). Modelled on osquery tables and
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
  HostFacts,
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
  host: HostFacts;
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

/** The facts keys collectors provide (the run itself sets `mode`, `source`, `unknown` and `notCollected`). */
export type FactKey = Exclude<keyof MachineFacts, "mode" | "source" | "unknown" | "notCollected">;

/** Checks at compile time that every fact key names the {@link Collected} entries carrying it. */
type EveryFactKey<T extends Record<FactKey, keyof Collected>> = T;

/**
 * For each fact key, the {@link Collected} entries that carry it (a family's extras, such as the
 * install's binary paths, ride with it). `triage` is asked for through {@link Collection.triage}
 * and judged after collection, so no entry carries it.
 */
export type CarriedBy = EveryFactKey<{
  host: "host";
  users: "users";
  install: "install" | "binaryPaths";
  updater: "updater";
  office: "office";
  profiles: "profiles" | "profileTargets";
  defaultProfiles: "defaultProfiles";
  mapisvc: "mapisvc";
  caches: "caches";
  cacheRoots: "cacheRoots";
  defender: "defender";
  strays: "strays" | "strayWalkCapped";
  freeDiskBytes: "freeDiskBytes";
  processes: "processes";
  events: "events";
  triage: never;
  damagedUserHives: "damagedUserHives";
}>;

/** {@link Collected} entries no fact carries: what the triage phase reads about loading processes. */
export type TriageContextKey = "connections" | "unreadableModuleHosts";

/** What one collector providing the facts `K` gives back. */
export interface Collection<K extends FactKey = FactKey> {
  /** The entries carrying `K` (absent where a family could not be read, with the reason in `unknown`); no other. */
  facts: Partial<Pick<Collected, CarriedBy[K] | TriageContextKey>> &
    Partial<Record<Exclude<keyof Collected, CarriedBy[K] | TriageContextKey>, never>>;
  /** Facts it could not see, with the reason (merged into `MachineFacts.unknown`, in collector order). */
  unknown?: Record<string, string>;
  /** PE files (snapshot paths) that need triage, in order; only a collector providing `triage` asks. */
  triage?: "triage" extends K ? readonly string[] : never;
}

/** What a collector may read besides the snapshot: knowledge, what earlier collectors found, its signal. */
export interface CollectContext<R extends FactKey = FactKey> {
  readonly knowledge: ConnectorKnowledge;
  /** The facts `R` it reads, as earlier collectors found them (a collector whose facts were not collected is not run). */
  readonly collected: Readonly<Partial<Pick<Collected, CarriedBy[R]>>>;
  /**
   * Aborted when the collector's time limit passes: its work is abandoned. The snapshot it was
   * given refuses every port call from then on; loops check the signal between port calls.
   */
  readonly signal: AbortSignal;
}

/** A collector providing the facts `K` and reading the facts `R` of earlier collectors. */
export interface Collector<K extends FactKey = FactKey, R extends FactKey = FactKey> {
  /** Family name, also the `unknown` key when it times out or is skipped. */
  readonly name: string;
  /** The snapshot ports it reads; it is skipped when the snapshot lacks one. */
  readonly needs: readonly PortName[];
  /**
   * The facts it provides. When it times out or is skipped, each is listed in
   * `MachineFacts.notCollected` (but a fact named after a port the snapshot lacks, such as
   * `events`, stays `undefined` with the snapshot's reason in `unknown`, as the mode cannot see it).
   */
  readonly provides: readonly K[];
  /** Facts of earlier collectors it reads through `context.collected`; it is skipped when one was not collected. */
  readonly reads?: readonly R[];
  /** Milliseconds it may take; past that its facts are not collected (never empty-and-ok). */
  readonly timeLimitMs: number;
  collect(snapshot: Snapshot, context: CollectContext<R>): Promise<Collection<K>>;
}

/**
 * Types a collector: `K` and `R` are taken from `provides` and `reads`, so it can return only
 * the facts it declares and read only the earlier facts it declares.
 */
export function defineCollector<const K extends FactKey, const R extends FactKey = never>(
  collector: Collector<K, R>,
): Collector<K, R> {
  return collector;
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
