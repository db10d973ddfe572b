/**
 * A snapshot: the ports one run of `check` reads a machine through. Adapters fill it for each
 * mode (image, live, bundle); tests fill it with in-memory fakes.
 *
 * Source: PRODUCT.md "Modes"; STYLE.md principle 1.
 */
import type { BundleFileSystemPort, FileSystemPort } from "./file-system.js";
import type { RegistryPort } from "./registry.js";
import type { DiskPort, EventLogPort, NetworkPort, ProcessPort } from "./system.js";

/** Where a snapshot's facts come from: a mounted image, this machine, or a diagnostics bundle. */
export type SnapshotMode = "image" | "live" | "bundle";

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
}

/** The bundle-mode snapshot: its file system also lists what the bundle carries. */
export interface BundleSnapshot extends Snapshot {
  fs: BundleFileSystemPort;
}
