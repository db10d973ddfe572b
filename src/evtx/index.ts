/**
 * EVTX (Windows XML Event Log) reader: a bounds-checked, limit-capped reader of `.evtx` files
 * from possibly compromised machines. See docs/evtx.md.
 */
export { anomalyFrom, type EvtxAnomaly } from "./anomaly.js";
export {
  ChunkBinXml,
  textOf,
  Token,
  type EvtxAttribute,
  type EvtxContent,
  type EvtxElement,
  type EvtxSystemHead,
} from "./binxml.js";
export { hasChunkSignature, readChunkHeader, type EvtxChunkHeader } from "./chunk-header.js";
export { crc32 } from "./crc32.js";
export { EvtxError, type EvtxErrorCode } from "./errors.js";
export { dataFields, eventIdAndProvider, summarizeRecord, type EventSummary } from "./event-summary.js";
export { readFileHeader, type EvtxFileHeader } from "./file-header.js";
export * as evtxLimits from "./limits.js";
export {
  AnomalyLog,
  iterateEvtx,
  iterateEvtxReader,
  readChunk,
  readEvtx,
  type EvtxLog,
  type EvtxRecordFilter,
  type ReadAt,
} from "./read-evtx.js";
export { readRecordFrame, type EvtxRecord } from "./record.js";
export { filetimeToIso, renderGuid, renderValue, ValueType } from "./values.js";
