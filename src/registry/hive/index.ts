/** The regf hive parser and writer. */
export { openHive, walkHive, Hive, HiveKey, type OpenHiveOptions, type HiveWalkEntry } from "./hive.js";
export { type HiveMode, type HiveAnomaly, NULL_OFFSET } from "./hive-context.js";
export { DEFAULT_HIVE_LIMITS, type HiveLimits } from "./limits.js";
export {
  parseBaseBlock,
  computeBaseBlockChecksum,
  isDirtyBaseBlock,
  BASE_BLOCK_SIZE,
  CHECKSUM_OFFSET,
  type BaseBlock,
} from "./base-block.js";
export { HBIN_HEADER_SIZE, HBIN_ALIGNMENT, type HiveBin } from "./hbin.js";
export { KEY_COMP_NAME, KEY_HIVE_ENTRY, KEY_NO_DELETE, type KeyNode } from "./nk.js";
export { VALUE_COMP_NAME, DATA_RESIDENT, type KeyValueRecord } from "./vk.js";
export { type KeySecurity } from "./sk.js";
export { BIG_DATA_SEGMENT_SIZE } from "./big-data.js";
export { lhHash } from "./lh-hash.js";
export { filetimeToDate, dateToFiletime } from "./filetime.js";
export { defaultSecurityDescriptor } from "./security-descriptor.js";
export { writeHive, writeEmptyHive, type WriteHiveOptions } from "./write-hive.js";
export { marvin32, HIVE_LOG_MARVIN_SEED } from "./marvin32.js";
export {
  replayHiveLogs,
  type HiveLogInput,
  type HiveLogProblem,
  type HiveLogOutcome,
  type HiveRecovery,
  type ReplayOptions,
} from "./replay-logs.js";
export {
  parseLogBaseBlock,
  LOG_BASE_BLOCK_SIZE,
  type LogBaseBlock,
  type HiveLogFormat,
} from "./log-base-block.js";
