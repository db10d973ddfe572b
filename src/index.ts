/**
 * koff-doctor as a library: `import { triageFile, checkMachine, … } from "koff-doctor"`.
 *
 * This file is the package's public face (package.json `exports`); everything a caller may rely
 * on is named here, and only here. The command line (src/cli/) is built on the same names.
 * Every error thrown is a typed {@link CodedError} subclass with a literal `code` union (and,
 * where the problem has a place, `offset` / `structure` / `path`): branch on `code`, never on
 * the message. Sizes are in bytes, times are `Date`s (ISO 8601 UTC strings in JSON), hashes are
 * lower-case hex. Nothing here loads, maps or executes a file under inspection.
 *
 * Formats and rules: docs/json-contract.md (report shapes), docs/verdict.md (triage),
 * docs/authenticode.md (signature states), docs/bundle.md, docs/runbook.md, docs/exit-codes.md.
 */

/**
 * PE parsing (Microsoft PE Format, https://learn.microsoft.com/windows/win32/debug/pe-format).
 * parsePe(bytes, { mode?: "permissive" | "strict" }) → PeImage; throws PeFormatError.
 */
export {
  parsePe,
  PeFormatError,
  type ParsePeOptions,
  type PeParseMode,
  type PeFormatErrorCode,
  type PeImage,
  type PeAnomaly,
  type DosHeader,
  type FileHeader,
  type OptionalHeader,
  type DataDirectory,
  type SectionHeader,
  type ImportedModule,
  type ImportedFunction,
  type ExportDirectory,
  type ExportedFunction,
  type VersionInfo,
  type FixedFileInfo,
  type ResourceEntry,
  type CertificateTable,
  type WinCertificate,
  type Overlay,
} from "./pe/index.js";

/**
 * Authenticode (docs/authenticode.md). verifyAuthenticode(bytes, parsePe(bytes), policy) never
 * throws for a malformed signature (state "malformed"); a policy is defaultPolicy(trustStore).
 */
export {
  verifyAuthenticode,
  defaultPolicy,
  TrustStore,
  createTrustStore,
  AuthenticodeError,
  type AuthenticodeErrorCode,
  type AuthenticodeResult,
  type AuthenticodeState,
  type SignatureResult,
  type VerificationStep,
  type VerificationPolicy,
  type SignatureSelection,
  type TrustStoreOptions,
  type CertificateSummary,
} from "./authenticode/index.js";

/**
 * Triage (docs/verdict.md). triageFile(path, options?) → TriageRecord for one file on disk
 * (declared as `triagePath` in src/app/triage-path.ts: the pure core in src/triage/ takes bytes);
 * triageHostFiles(paths, …) for many, with one verifier (createSignatureVerifier) shared.
 * A bad input file never throws: it is a record with verdict "error" and a coded `error`.
 */
export { triagePath as triageFile, type TriagePathOptions as TriageFileOptions } from "./app/triage-path.js";
export { streamHostFiles, triageHostFiles, type HostTriageOptions } from "./app/triage-host-files.js";
export { Sha256Thread, THREAD_HASH_MIN_BYTES, runSha256Thread } from "./util/sha256-thread.js";
export { startDigestThread, runDigestThread, type DigestThread } from "./app/digest-thread.js";
export {
  autoJobs,
  streamHostFilesInWorkers,
  workerEntry,
  AUTO_MAX_JOBS,
  AUTO_MIN_BYTES,
  AUTO_MIN_FILES,
  MAX_JOBS,
  type JobsSetting,
  type PoolOptions,
  type PoolResult,
  type WorkerFailure,
} from "./app/triage-pool.js";
export { providerLikeReasons, type ProviderLikeReason } from "./triage/provider-like.js";
export {
  createSignatureVerifier,
  summarizeAuthenticode,
  type VerifierOptions,
  type ReportedPolicy,
  type SignatureVerifierHandle,
} from "./app/signature-verifier.js";
export { loadKnowledge, type ConnectorKnowledge } from "./knowledge/index.js";
export type {
  TriageRecord,
  Verdict,
  Indicator,
  IndicatorId,
  Level,
  SignatureSummary,
  SignatureState,
  SignatureVerifier,
  SignatureVerification,
  PeSummary,
} from "./triage/index.js";

/**
 * Check a machine (docs/checks/): checkMachine(snapshot, options?) → CheckReport, the findings
 * of the catalogue over the facts read from the snapshot (a mounted image, a bundle, live).
 */
export {
  checkMachine,
  windowsRootAnchors,
  type CheckOptions,
  type CheckReport,
} from "./app/check-machine.js";
export type { Finding, Severity } from "./check/finding.js";
/** The vocabulary (src/vocabulary): every check id, repair step id and mode, as `as const` lists and unions. */
export { CHECK_IDS, MODES, type CheckId, type Mode } from "./vocabulary/index.js";
export type { EventFact, EventKind, HostFacts, MachineFacts } from "./check/facts.js";
/** The event-log port every source fills (docs/evtx.md "What check reads from the event logs"). */
export type { EventLogPort, EventQuery, EventRecord } from "./ports/system.js";
export type { Snapshot, SnapshotMode } from "./ports/snapshot.js";
/**
 * Open a source (docs/architecture.md "How a verb runs"): openSource({ image: dir } | { bundle: file } | { live: true } |
 * { hostFiles: true, imageRoot? }) → OpenedSource, its `snapshot` and `close()`. Throws
 * SourceError (`live-unsupported`, `not-an-image-root`, `not-a-windows-path`), BundleError,
 * InputFileError, and in live mode WindowsStateError (`exec-failed`).
 */
export type { BundleSnapshot } from "./ports/snapshot.js";
export {
  openSource,
  createBundleSnapshot,
  SourceError,
  type SourceErrorCode,
  type SourceSpec,
  type OpenedSource,
} from "./adapters/index.js";

/**
 * Diagnostics bundles (docs/bundle.md). collectBundle(snapshot, options?) reads only and
 * returns the members; writeBundle(file, bundle) writes the zip (and the local redaction map).
 * openBundle(file) verifies every member against the manifest; throws BundleError, never
 * extracts. createBundleSnapshot(bundle) replays it for checkMachine / triageBundle.
 */
export {
  collectBundle,
  writeBundle,
  openBundle,
  triageBundle,
  BundleError,
  type BundleErrorCode,
  type CollectOptions,
  type CollectedBundle,
  type WrittenBundle,
  type Bundle,
  type BundleManifest,
  type BundleTriageOptions,
} from "./bundle/index.js";

/**
 * Repair and undo (docs/runbook.md). planRepair plans one step and changes nothing; applyRepair
 * journals, then acts; undoRun reverts a run byte for byte. All throw RunbookError.
 */
export { planRepair, applyRepair } from "./app/repair-calls.js";
/** repairEnvironment(snapshot, { imageRoot?, stateDir?, trustFiles, at?, env }) → RepairEnvironment. */
export { repairEnvironment, type RepairEnvironmentOptions } from "./app/repair-environment.js";
export {
  planLadder,
  undoRun,
  surveyRuns,
  defaultStateDir,
  STEP_IDS,
  RunbookError,
  type RunbookErrorCode,
  type RepairEnvironment,
  type StepRequest,
  type StepId,
  type PlannedStep,
  type StepPlan,
  type Operation,
  type RunHeader,
  type RunStatus,
  type DamagedRun,
} from "./runbook/index.js";

/**
 * Windows event logs (docs/evtx.md) and registry hives (docs/registry.md), read offline.
 */
export { iterateEvtxFile } from "./adapters/host/evtx-file.js";
export {
  iterateEvtxReader,
  summarizeRecord,
  AnomalyLog,
  EvtxError,
  type EvtxErrorCode,
  type EvtxAnomaly,
  type EvtxRecord,
  type EventSummary,
} from "./evtx/index.js";
export { logsOfDirtyHiveFile } from "./adapters/image/hive-log-files.js";
export {
  exportHiveFileAsReg,
  defaultHiveRoot,
  normalizeRegPrefix,
  RegistryError,
  type RegistryErrorCode,
} from "./registry/index.js";

/**
 * Errors every area shares: the typed base classes, and the refusal of a user-named path that
 * is not a readable regular file (a FIFO, device, folder, symlink loop, over its cap).
 */
export { CodedError, LocatedError, type ErrorLocation } from "./util/coded-error.js";
export { InputFileError, INPUT_FILE_ERROR_CODES, type InputFileErrorCode } from "./util/input-file-error.js";
export { WindowsStateError, type WindowsStateErrorCode } from "./windows/errors.js";

/**
 * Reports: the JSON documents the CLI prints (docs/json-contract.md) and the exit codes results
 * map to (docs/exit-codes.md).
 */
export {
  ExitCode,
  checkExitCode,
  triageExitCode,
  runbookExitCode,
  renderCheckJson,
  checkJsonDocument,
  eventTimeline,
  summarizeCheck,
  CHECK_SCHEMA_VERSION,
  renderTriageJson,
  renderTriageJsonLine,
  TriageJsonWriter,
  triageJsonDocument,
  summarizeVerdicts,
  renderRefusalJson,
  renderRunsJson,
  renderLadderJson,
  renderPlanJson,
  renderAppliedJson,
  renderUndoneJson,
  stringifyJson,
  toJsonText,
  reportedFindings,
  commandSourceOf,
  explainStep,
  findingNextStep,
  formatCommand,
  quoteArg,
  repairStep,
  shellStyleOf,
  sourceArgs,
  trustFilesOf,
  type CommandSource,
  type NextStep,
  type RepairCommandOptions,
  type ReportedFinding,
  type ShellStyle,
  type ExitCodeValue,
  type CheckJsonDocument,
  type TimelineEntry,
  type CheckStatus,
  type CheckSummary,
  type TriageJsonDocument,
  type TriageSummary,
  type ToolInfo,
  eventsJsonRecord,
  type EventsJsonDocument,
  type EventsJsonRecord,
} from "./report/index.js";
export { toolInfo } from "./version.js";

/**
 * The fleet: host reports into PostgreSQL or embedded PGlite, and the summary over them
 * (docs/fleet.md); the JSON Schemas of every document (schemas/, docs/json-contract.md).
 */
export {
  DEFAULT_FLEET_DB,
  FleetDbError,
  openFleetDb,
  type FleetDb,
  type FleetDbErrorCode,
} from "./fleet/db.js";
export { ingestReports, migrate, type IngestInput, type IngestResult } from "./fleet/ingest.js";
export { HostReportError, reportRows, type ReportRows } from "./fleet/report-rows.js";
export { fleetSummary, type FleetSummary } from "./fleet/summary.js";
export { renderFleetHtml, renderFleetText } from "./fleet/render.js";
export { inputsOfFile } from "./app/fleet-sources.js";
export { validateDocument, loadSchema, SCHEMA_FILES, type SchemaKind } from "./app/json-schemas.js";
