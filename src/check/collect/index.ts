/**
 * The collectors of `check`, in the order they run (later ones read what earlier ones found:
 * caches and strays need the users, strays the install folders and registered load paths), and
 * the runner.
 */
import type { Collector } from "./collector.js";
import { cachesCollector } from "./caches.js";
import { defenderCollector } from "./defender.js";
import { diskCollector, hivesCollector } from "./disk-and-hives.js";
import { eventsCollector } from "./events.js";
import { hostCollector } from "./host.js";
import { installCollector } from "./install.js";
import { mapisvcCollector } from "./mapisvc.js";
import { officeCollector } from "./office.js";
import { networkCollector, processesCollector, processModulesCollector } from "./processes.js";
import { profilesCollector } from "./profiles.js";
import { straysCollector } from "./strays.js";
import { updaterCollector } from "./updater.js";
import { usersCollector } from "./users.js";

/** Every collector of `check`, in run order. */
export const COLLECTORS: readonly Collector[] = [
  usersCollector,
  hostCollector,
  installCollector,
  updaterCollector,
  officeCollector,
  profilesCollector,
  mapisvcCollector,
  defenderCollector,
  cachesCollector,
  straysCollector,
  processesCollector,
  networkCollector,
  processModulesCollector,
  eventsCollector,
  diskCollector,
  hivesCollector,
];

export type {
  CarriedBy,
  Collected,
  Collection,
  CollectContext,
  Collector,
  FactKey,
  PortName,
  ProfileTarget,
  TriageContextKey,
} from "./collector.js";
export { defineCollector, PORT_FACT } from "./collector.js";
export {
  runCollectors,
  type CollectorRun,
  type RunCollectorsOptions,
  type TriageRequest,
} from "./run-collectors.js";
export { assembleFacts } from "./assemble-facts.js";
export { MAX_STRAY_ENTRIES } from "./strays.js";
