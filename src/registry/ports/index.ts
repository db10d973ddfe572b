/** Registry port adapters: image hives, `.reg` files, and an in-memory fake. */
export { HiveRegistryPort, type HiveRegistryPortOptions, type OpenedHive } from "./hive-registry-port.js";
export {
  createRegFileRegistryPort,
  RegFileRegistryPort,
  type RegFileSource,
  type RegFileRegistryPortOptions,
} from "./reg-file-registry-port.js";
export {
  createMemoryRegistryPort,
  encodeMemoryValue,
  type MemoryValueSpec,
  type MemoryRegistrySpec,
} from "./memory-registry-port.js";
export { TreeRegistryPort } from "./tree-registry-port.js";
export { canonicalRootName, splitRegistryPath, isServiceOrTemplateUserHive } from "./registry-path.js";
export { resolveInImage, listInImage } from "./image-path.js";
