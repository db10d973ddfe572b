/**
 * A snapshot: the ports one run of `check` reads a machine through. Adapters fill it for each
 * mode (image, live, bundle); tests fill it with in-memory fakes.
 *
 * Source: README.md (live, `--image DIR` and `--bundle FILE.zip` modes); docs/runbook.md ("Modes");
 * docs/bundle.md ("How it works: record, then replay").
 */
import type { BundleFileSystemPort, FileSystemPort } from "./file-system.js";
import type { RegistryPort } from "./registry.js";
import type { DiskPort, EventLogPort, NetworkPort, ProcessPort } from "./system.js";
import type { Mode } from "../vocabulary/index.js";

/** Where a snapshot's facts come from: the snapshot's {@link Mode} (one definition, in src/vocabulary/mode.ts). */
export type SnapshotMode = Mode;

export interface Snapshot {
  mode: SnapshotMode;
  fs: FileSystemPort;
  registry: RegistryPort;
  /** `undefined`: this mode cannot see processes. */
  processes?: ProcessPort;
  network?: NetworkPort;
  eventLog?: EventLogPort;
  disk?: DiskPort;
  /** The inspected machine's "now" (live) or the analyst's (image, bundle). */
  now(): Date;
  /** What was read: `"image /cases/pc1"`. */
  describe(): string;
  /** Why each absent port is absent, e.g. `{ processes: "image mode cannot see running processes" }`. */
  unknown: Record<string, string>;
  /**
   * A snapshot recorded earlier (a bundle): the run that collected it and when. A check of it
   * reports that run id and time, so the same bundle always yields the same run (docs/fleet.md).
   * Absent for a snapshot read now (live, image).
   */
  provenance?: { runId: string; collectedAt: Date };
}

/** The bundle-mode snapshot: its file system also lists what the bundle carries. */
export interface BundleSnapshot extends Snapshot {
  fs: BundleFileSystemPort;
}
