/**
 * Windows-state domain readers: Outlook profiles, MAPISVC.INF, Office, Defender exclusions,
 * certificate stores and Uninstall entries, written against the RegistryPort and FileSystemPort.
 */
export { WindowsStateError, type WindowsStateErrorCode } from "./errors.js";
export { decodeWindows1252 } from "./windows-1252.js";
export { canPrefetch, prefetchSubtree, type PrefetchingRegistryPort } from "./prefetch.js";
export { findValue, joinKey, stableRegExp, valueAsNumber, valueAsString } from "./registry-read.js";
export {
  MAX_UIDS_PER_LIST,
  PropId,
  PropType,
  decodeString8,
  decodeUnicode,
  profileValueName,
  readProfileLong,
  readProfileString,
  readUidList,
  type ProfileString,
} from "./mapi-property.js";
export {
  DEFAULT_KOFF_DLL_PATTERN,
  MAX_PROFILES_PER_LAYOUT,
  MAX_SECTIONS_PER_PROFILE,
  SERVICE_TABLE_SECTION,
  readOutlookProfiles,
  type DefaultProfileSetting,
  type OutlookProfile,
  type OutlookProfileLayout,
  type OutlookProfilesResult,
  type ProfileProvider,
  type ProfileService,
  type ReadOutlookProfilesOptions,
} from "./outlook-profiles.js";
export {
  MAX_MAPISVC_INF_BYTES,
  findInfSection,
  infSectionEntries,
  lookupInf,
  parseMapiSvcInf,
  splitInfList,
  type InfEncoding,
  type InfEntry,
  type InfLookup,
  type InfSection,
  type MapiSvcInf,
} from "./mapisvc-inf.js";
export { mapiLoadName, type MapiDllNameIssue, type MapiLoadName } from "./mapi-dll-name.js";
export {
  MAX_LCID_FOLDERS,
  MAX_PROVIDERS_PER_SERVICE,
  MAX_SERVICES_PER_INF,
  locateMapiSvcInf,
  type InfDllReference,
  type InfProviderRegistration,
  type InfServiceRegistration,
  type LocateMapiSvcOptions,
  type MapiSvcFileReport,
  type MapiSvcLocatorResult,
  type MapiSvcOrigin,
} from "./mapisvc-locator.js";
export {
  BRANCH_CHANNELS,
  CDN_CHANNELS,
  channelFromUrl,
  normaliseBitness,
  readOfficeInstall,
  type OfficeChannel,
  type OfficeEvidence,
  type OfficeInstall,
} from "./office.js";
export {
  readDefenderExclusions,
  type DefenderExclusion,
  type DefenderExclusionKind,
  type DefenderExclusionSource,
  type DefenderExclusions,
} from "./defender.js";
export {
  MAX_UNINSTALL_ENTRIES,
  readUninstallEntries,
  type UninstallEntries,
  type UninstallEntry,
  type UninstallMatch,
  type UninstallView,
} from "./uninstall.js";
export {
  CertPropId,
  MAX_CERT_BLOB_BYTES,
  MAX_CERT_BLOB_PROPERTIES,
  decodeCertificateBlob,
  readCertificateStores,
  type CertStoreLocation,
  type CertificateStores,
  type ReadCertificateStoresOptions,
  type SerializedCertProperty,
  type SerializedCertificate,
  type StoreCertificate,
} from "./certificate-stores.js";
