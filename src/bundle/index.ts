/**
 * The diagnostics bundle: `collect` (record, redact, write) and `--bundle` (read safely). The
 * replay as a snapshot is an adapter: src/adapters/bundle.
 */
export { BundleError, type BundleErrorCode } from "./errors.js";
export {
  DEFAULT_READ_LIMITS,
  DEFAULT_COLLECT_LIMITS,
  type BundleReadLimits,
  type BundleCollectLimits,
} from "./limits.js";
export { openZipArchive, validateMemberName, type ZipArchive, type ZipMember } from "./zip-reader.js";
export { writeZipFile, type ZipInput } from "./zip-writer.js";
export { MEMBER, memberForWindowsPath, hiveFileStem } from "./layout.js";
export {
  recordingFileSystem,
  recordingRegistry,
  recordingSnapshot,
  type RecordedPath,
  type RecordedFileSystem,
  type RecordedRegistry,
  type SnapshotRecording,
} from "./recording.js";
export {
  serializeFileSystem,
  validateFsIndex,
  type FsIndex,
  type FsIndexEntry,
  type IndexStat,
  type IndexDirEntry,
} from "./fs-index.js";
export {
  MAX_CARRIED_ANOMALIES,
  MAX_CARRIED_HIVE_HEALTH,
  serializeRegistry,
  validateRegistryIndex,
  type RecordedHiveHealth,
  type RegistryIndex,
} from "./registry-members.js";
export {
  Redactor,
  findSensitiveInText,
  isPublicDomain,
  isProtectedWord,
  type RedactionEntry,
  type SensitiveCategory,
  type SkippedValue,
} from "./redaction.js";
export { validatePeFacts, peFactsOf, type PeFactsDoc } from "./pe-facts.js";
export {
  sha256Hex,
  validateManifest,
  checkMemberList,
  type BundleManifest,
  type ManifestMember,
  type UnredactedMember,
} from "./manifest.js";
export { collectBundle, type CollectOptions, type CollectedBundle } from "./collect.js";
export { writeBundle, redactionMapPath, type WrittenBundle } from "./write-bundle.js";
export { openBundle, type Bundle } from "./bundle-reader.js";
export { defang, refang, needsDefang, DEFANG_KEY, DEFANG_SCHEME, DEFANG_SUFFIX } from "./defang.js";
export { triageBundle, triageCarriedFile, type BundleTriageOptions } from "./triage-bundle.js";
