/** Export of hives and key trees as `.reg` text. */
export {
  exportHiveAsReg,
  exportHiveFileAsReg,
  regTreeToExportKeys,
  type ExportHiveOptions,
  type ExportHiveFileOptions,
} from "./export-hive-as-reg.js";
export { defaultHiveRoot, normalizeRegPrefix } from "./hive-root-name.js";
