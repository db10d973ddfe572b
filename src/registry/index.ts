/** The registry area: regf hives, `.reg` text, export, and registry port adapters. */
export {
  RegistryError,
  registryOutOfBounds,
  type RegistryErrorCode,
  type RegistryErrorFields,
} from "./errors.js";
export * from "./model/index.js";
export * from "./hive/index.js";
export * from "./reg-file/index.js";
export * from "./export/index.js";
export * from "./ports/index.js";
