/**
 * The PE area: a bounds-checked PE/COFF parser (`parsePe`), its typed error and model types,
 * and the building blocks other areas reuse (checksum, entropy, RVA mapping, limits).
 *
 * Source: Microsoft "PE Format" specification; see each module.
 */
export { parsePe, type ParsePeOptions } from "./parse-pe.js";
export {
  parsePeImports,
  readPeImports,
  IMPORT_READ_BLOCK_BYTES,
  IMPORT_READ_ROUNDS,
  type ParsePeImportsOptions,
  type ReadPeImportsOptions,
  type PeImportTables,
  type ReadFileRange,
} from "./parse-pe-imports.js";
export { PeFormatError, type PeFormatErrorCode } from "./errors.js";
export type { PeParseMode } from "./parse-context.js";
export { computePeChecksum, PeChecksumAccumulator } from "./checksum.js";
export { walkFileBytes, WALK_CHUNK_BYTES, type ByteRun, type ByteSink, type ByteWalk } from "./byte-walk.js";
export { sniffPe, PE_SNIFF_BYTES, PE_SNIFF_MAX_LFANEW } from "./signature-sniff.js";
export { shannonEntropy, addToHistogram, entropyOfHistogram } from "./entropy.js";
export { RvaMapper, flatMappingEnd, type MappedRva, type SectionLike } from "./rva.js";
export { machineName, MACHINE_NAMES } from "./file-header.js";
export {
  DATA_DIRECTORY_NAMES,
  CHECKSUM_FIELD_OFFSET,
  IMAGE_DIRECTORY_ENTRY_EXPORT,
  IMAGE_DIRECTORY_ENTRY_IMPORT,
  IMAGE_DIRECTORY_ENTRY_RESOURCE,
  IMAGE_DIRECTORY_ENTRY_SECURITY,
  IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT,
} from "./optional-header.js";
export { RT_VERSION } from "./resource-directory.js";
export {
  walkCertificateTable,
  alignToCertificateBoundary,
  WIN_CERTIFICATE_ALIGNMENT,
  WIN_CERTIFICATE_HEADER_SIZE,
  WIN_CERT_REVISION_1_0,
  WIN_CERT_REVISION_2_0,
  WIN_CERT_TYPE_PKCS_SIGNED_DATA,
  type CertificateTableLocation,
  type CertificateTableWalk,
  type CertificateTableWalkStop,
  type WinCertificateEntry,
} from "./certificate-table.js";
export type { Overlay } from "./overlay.js";
export {
  MAX_SECTIONS,
  MAX_IMPORT_MODULES,
  MAX_IMPORT_FUNCTIONS_PER_MODULE,
  MAX_IMPORT_FUNCTIONS_TOTAL,
  MAX_EXPORTS,
  MAX_RESOURCE_DEPTH,
  MAX_RESOURCE_ENTRIES,
  MAX_CERTIFICATES,
  MAX_ANOMALIES,
} from "./limits.js";
export type {
  PeAnomaly,
  DosHeader,
  FileHeader,
  DataDirectory,
  OptionalHeader,
  SectionHeader,
  ImportedFunction,
  ImportedModule,
  ExportedFunction,
  ExportDirectory,
  FixedFileInfo,
  VersionInfo,
  ResourceEntry,
  WinCertificate,
  CertificateTable,
  PeImage,
} from "./types.js";
