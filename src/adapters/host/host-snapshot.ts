/**
 * The host-files snapshot (`triage PATH...`): files of this machine's disk through
 * {@link HostFileSystem}, addressed by host paths and mapped to the Windows paths they had. With
 * an image root (`--image DIR`) the registry is the image's hive files, so the Windows root
 * stores it trusted can be read; without one the registry is empty. Processes, network, event
 * log and free disk space are not visible.
 *
 * Source: docs/exit-codes.md ("Inputs that are not files"); src/ports/snapshot.ts (the contract).
 */
import type { Snapshot } from "../../ports/snapshot.js";
import { createMemoryRegistryPort } from "../fake/memory-registry-port.js";
import { HiveRegistryPort } from "../image/hive-registry-port.js";
import { HostFileSystem, type HostFileSystemOptions } from "./host-file-system.js";

/** Options of {@link createHostSnapshot}: where the files came from. */
export type HostSnapshotOptions = HostFileSystemOptions;

/**
 * A snapshot over files of this machine's disk, for `triage PATH...`.
 * Its `mode` is `"image"` (files at rest, nothing running), its file system's paths are host
 * paths (`snapshot.fs.hostNaming` says how they map to Windows paths), and nothing is opened
 * until asked.
 * @param options.imageRoot - root of a mounted Windows volume (`--image DIR`); paths inside map to `C:\…`.
 * @param options.originalWindowsPath - the original Windows path of a single copied file (`--as`).
 */
export function createHostSnapshot(options: HostSnapshotOptions = {}): Snapshot {
  const fs = new HostFileSystem(options);
  return {
    mode: "image",
    fs,
    registry:
      fs.imageRoot === undefined
        ? createMemoryRegistryPort({}, "no registry (host files)")
        : new HiveRegistryPort(fs.imageRoot),
    now: () => new Date(),
    describe: () => fs.describe(),
    unknown: {
      processes: "host files: running processes are not read",
      network: "host files: network connections are not read",
      events: "host files: event logs are not read",
      freeDiskBytes: "host files: free space of the original disk is unknown",
    },
  };
}
