/** `.reg` text: parser, writer, encodings, and applying operations to a key tree. */
export { parseRegFile } from "./parse-reg-file.js";
export { type RegOperation, type RegFile, type RegFileFormat } from "./reg-operations.js";
export { decodeRegText, encodeRegText, type RegTextEncoding } from "./reg-text-encoding.js";
export { applyRegOperations } from "./apply-reg-operations.js";
export {
  formatRegValue,
  formatRegText,
  writeRegFile,
  escapeRegString,
  REG_V5_HEADER,
  type RegExportKey,
  type WriteRegFileOptions,
  type FormatRegOptions,
} from "./write-reg-file.js";
