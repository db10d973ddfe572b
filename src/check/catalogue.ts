/**
 * The ordered check catalogue: every check koff-doctor runs, in report order (install → MAPI →
 * profiles → cache → environment), which is the order of `CHECK_IDS` (src/vocabulary/check-id.ts).
 * A test lints it: exactly those ids in that order, a doc page `docs/checks/<id>.md` per check,
 * and a fixture where each fires and one where it stays quiet. Each check keeps its own evidence
 * type; the list holds them as {@link AnyCheckDefinition}.
 *
 * Source: docs/checks/, docs/json-contract.md ("findings are sorted … then by catalogue order").
 */
import addinDisabled from "./checks/addin-disabled.js";
import avDetectedProvider from "./checks/av-detected-provider.js";
import avExclusionMissing from "./checks/av-exclusion-missing.js";
import bitnessMismatch from "./checks/bitness-mismatch.js";
import cacheDbInvalid from "./checks/cache-db-invalid.js";
import cacheDiskSpaceLow from "./checks/cache-disk-space-low.js";
import cacheMissing from "./checks/cache-missing.js";
import cacheOnNetwork from "./checks/cache-on-network.js";
import cacheOrphan from "./checks/cache-orphan.js";
import connectorBinaryUntrusted from "./checks/connector-binary-untrusted.js";
import connectorVersionsMixed from "./checks/connector-versions-mixed.js";
import installMissing from "./checks/install-missing.js";
import mapiProviderBlocked from "./checks/mapi-provider-blocked.js";
import outlookCrashInProvider from "./checks/outlook-crash-in-provider.js";
import mapisvcNotRegistered from "./checks/mapisvc-not-registered.js";
import mapisvcPathExtraPeriods from "./checks/mapisvc-path-extra-periods.js";
import mapisvcPathOutsideInstall from "./checks/mapisvc-path-outside-install.js";
import mapisvcPathUnresolved from "./checks/mapisvc-path-unresolved.js";
import officeNotFound from "./checks/office-not-found.js";
import profileDefaultMissing from "./checks/profile-default-missing.js";
import profileKoffOrphaned from "./checks/profile-koff-orphaned.js";
import profileNone from "./checks/profile-none.js";
import providerDllMissing from "./checks/provider-dll-missing.js";
import strayProviderDll from "./checks/stray-provider-dll.js";
import updaterServiceMissing from "./checks/updater-service-missing.js";
import type { AnyCheckDefinition } from "./finding.js";

export const CATALOGUE: readonly AnyCheckDefinition[] = [
  installMissing,
  providerDllMissing,
  connectorBinaryUntrusted,
  connectorVersionsMixed,
  strayProviderDll,
  mapisvcNotRegistered,
  mapisvcPathUnresolved,
  mapisvcPathExtraPeriods,
  mapisvcPathOutsideInstall,
  officeNotFound,
  bitnessMismatch,
  profileNone,
  profileDefaultMissing,
  profileKoffOrphaned,
  cacheMissing,
  cacheOrphan,
  cacheDbInvalid,
  cacheDiskSpaceLow,
  cacheOnNetwork,
  avExclusionMissing,
  updaterServiceMissing,
  outlookCrashInProvider,
  mapiProviderBlocked,
  addinDisabled,
  avDetectedProvider,
];
