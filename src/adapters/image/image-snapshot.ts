/**
 * The image adapter (`--image DIR`): files through {@link ImageFileSystem}, registry through the
 * image's hive files, event logs through its `.evtx` files ({@link ImageEventLog}). Processes and
 * network are not visible; free disk space only when the caller states it.
 */
import type { Snapshot } from "../../ports/snapshot.js";
import { ImageEventLog } from "./image-event-log.js";
import { HiveRegistryPort } from "./hive-registry-port.js";
import { ImageFileSystem } from "./image-file-system.js";

export interface ImageSnapshotOptions {
  /** Free bytes on the image's system volume, when the analyst knows it (`--free-space`). */
  freeBytes?: number;
}

export function createImageSnapshot(root: string, options: ImageSnapshotOptions = {}): Snapshot {
  const fs = new ImageFileSystem(root);
  const unknown: Record<string, string> = {
    processes: "image mode cannot see running processes",
    network: "image mode cannot see network connections",
  };
  if (options.freeBytes === undefined)
    unknown["freeDiskBytes"] = "image mode: free space of the original disk is unknown (pass --free-space)";
  return {
    mode: "image",
    fs,
    registry: new HiveRegistryPort(fs.root),
    eventLog: new ImageEventLog(fs),
    disk: options.freeBytes === undefined ? undefined : { freeBytes: async () => options.freeBytes },
    now: () => new Date(),
    describe: () => `image ${fs.root}`,
    unknown,
  };
}
