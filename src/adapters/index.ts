/**
 * The adapters: every way koff-doctor reads a machine, behind the ports of src/ports. One tree
 * per source: `image/` (a mounted volume: files, hive files), `bundle/` (a diagnostics bundle
 * replayed), `live/` (this Windows machine: files, `reg.exe`, tools through the Exec port),
 * `host/` (files of this disk, `triage PATH`), `fake/` (in-memory, for tests and examples).
 * {@link openSource} opens any of them.
 */
export {
  openSource,
  assertSourceSupported,
  type SourceSpec,
  type ImageSourceSpec,
  type BundleSourceSpec,
  type LiveSourceSpec,
  type HostFilesSourceSpec,
  type OpenedSource,
} from "./open-source.js";
export { SourceError, type SourceErrorCode } from "./errors.js";
export { checkImageRoot } from "./image/image-root.js";
export { createImageSnapshot, type ImageSnapshotOptions } from "./image/image-snapshot.js";
export { ImageFileSystem } from "./image/image-file-system.js";
export {
  HiveRegistryPort,
  type HiveRegistryPortOptions,
  type OpenedHive,
} from "./image/hive-registry-port.js";
export { resolveInImage, listInImage } from "./image/image-path.js";
export { createBundleSnapshot } from "./bundle/bundle-snapshot.js";
export { BundleFileSystem } from "./bundle/bundle-file-system.js";
export { createBundleRegistryPort } from "./bundle/bundle-registry.js";
export {
  createRegFileRegistryPort,
  RegFileRegistryPort,
  type RegFileSource,
  type RegFileRegistryPortOptions,
} from "./bundle/reg-file-registry-port.js";
export {
  nodeExec,
  type NodeExecOptions,
  LiveFileSystem,
  RegExeRegistry,
  type RegExeFailure,
  type RegExeRegistryOptions,
  createLiveRegistry,
  detectOemCodePage,
  registryViewFor,
  type LiveEnvironment,
  createLiveSnapshot,
  EVENTS_PER_LOG,
  type LiveSnapshotOptions,
} from "./live/index.js";
export { createHostSnapshot, type HostSnapshotOptions } from "./host/host-snapshot.js";
export { MemoryFileSystem } from "./fake/memory-file-system.js";
export {
  createMemoryRegistryPort,
  encodeMemoryValue,
  type MemoryValueSpec,
  type MemoryRegistrySpec,
} from "./fake/memory-registry-port.js";
