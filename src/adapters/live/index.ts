/**
 * The live-Windows adapters: files of this machine, a RegistryPort over `reg.exe`, the snapshot
 * of live mode, and the node:child_process implementation of the Exec port.
 */
export { nodeExec, type NodeExecOptions } from "./exec.js";
export { LiveFileSystem } from "./live-file-system.js";
export {
  PROBE_KEY,
  RegExeRegistry,
  type RegExeFailure,
  type RegExeRegistryOptions,
} from "./reg-exe-registry.js";
export {
  createLiveRegistry,
  detectOemCodePage,
  registryViewFor,
  type LiveEnvironment,
} from "./create-live-registry.js";
export { createLiveSnapshot, EVENTS_PER_LOG, type LiveSnapshotOptions } from "./live-snapshot.js";
