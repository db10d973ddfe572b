/** The live-Windows adapters: a RegistryPort over `reg.exe`, and the injected process runner. */
export { nodeExec, type Exec, type ExecResult, type NodeExecOptions } from "./exec.js";
export { decodeOem, isKnownOemCodePage, type OemCodePage } from "./oem-code-page.js";
export {
  MAX_REG_QUERY_OUTPUT,
  parseRegQueryOutput,
  toLongRootPath,
  toShortRootPath,
  type RegQueryBlock,
  type RegQueryOutput,
  type RegQueryWarning,
} from "./reg-query-output.js";
export { RegExeRegistry, type RegExeFailure, type RegExeRegistryOptions } from "./reg-exe-registry.js";
export {
  createLiveRegistry,
  detectOemCodePage,
  registryViewFor,
  type LiveEnvironment,
} from "./create-live-registry.js";
