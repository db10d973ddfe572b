/**
 * What `check` knows about a machine: facts gathered from a snapshot (collecting), kept apart
 * from the checks that judge them (judging). Every field is plain data, rendered as the `facts`
 * object of `check --json`. A fact the mode cannot see is `undefined` with its reason in
 * {@link MachineFacts.unknown}, never a guess.
 *
 * Source: docs/json-contract.md (the `facts` object); docs/checks/ (the checks that judge them).
 */
import type { EventRecord } from "../ports/system.js";
import type { TriageRecord } from "../triage/index.js";

import type { Mode } from "../vocabulary/index.js";
export type { Mode };

export interface FileFact {
  /** Windows path. */
  path: string;
  /** Size in bytes. */
  size: number;
  sha256?: string;
  /** `"x86"`, `"x64"`, … for PE files. */
  machine?: string;
  fileVersion?: string;
  companyName?: string;
}

export interface InstallFacts {
  /** Uninstall entries matching the connector, from both registry views. */
  uninstallEntries: Array<{
    key: string;
    displayName: string;
    displayVersion?: string;
    installLocation?: string;
    view: string;
  }>;
  /** Install folders that exist (knowledge folders plus InstallLocation values). */
  folders: string[];
  /** Binaries (`.dll`, `.exe`) in the install folders. */
  binaries: FileFact[];
  /** `kofmsp*.dll` files in the install folders. */
  providerDlls: FileFact[];
}

export interface UpdaterFacts {
  installed: boolean;
  /** What showed it: an Uninstall entry, the service key, or the folder. */
  evidence: string[];
}

export interface OfficeFacts {
  found: boolean;
  product?: string;
  version?: string;
  /** Outlook's (= Office's) bitness. */
  bitness?: "x86" | "x64";
  channel?: string;
  /** Where each fact came from (registry paths). */
  sources: string[];
}

export interface ProfileServiceFact {
  uid: string;
  serviceName?: string;
  dllName?: string;
  entryName?: string;
  isKoff: boolean;
}

export interface ProfileFact {
  user: string;
  /** `"16.0"`, `"15.0"` or `"wms"` (Windows Messaging Subsystem, Outlook ≤ 2010). */
  layout: string;
  name: string;
  /** Registry key of the profile. */
  key: string;
  isDefault: boolean;
  services: ProfileServiceFact[];
  hasKoff: boolean;
}

export interface DefaultProfileFact {
  user: string;
  layout: string;
  /** The `DefaultProfile` value. */
  name: string;
  /** Where the value was read. */
  key: string;
}

export interface MapisvcRegistration {
  /** The MAPISVC.INF file. */
  file: string;
  /** `[Services]` key of the KOFF service. */
  section: string;
  /** The key whose value named the DLL (`PR_SERVICE_DLL_NAME` or a provider's `PR_PROVIDER_DLL_NAME`). */
  key: string;
  /** The value as registered. */
  registered: string;
  /** The file MAPI would load, after the "32" rule (Windows path), when it could be determined. */
  loadPath?: string;
  /** Whether `loadPath` exists. */
  resolved: boolean;
  /** Problems with the registered name: `"extra-periods"`, `"has-32"`, `"bare-name"`. */
  issues: string[];
}

export interface MapisvcFacts {
  /** Every MAPISVC.INF found. */
  files: string[];
  registrations: MapisvcRegistration[];
}

export interface CacheDatabaseFact {
  name: string;
  size: number;
  valid: boolean;
  problems: string[];
  odsMajor?: number;
  pageSize?: number;
}

export interface CacheFact {
  user: string;
  /** Folder name = Outlook profile name. */
  profile: string;
  path: string;
  files: number;
  /** Total bytes of all files in the folder (top level and below, capped walk). */
  bytes: number;
  databases: CacheDatabaseFact[];
}

export interface DefenderFacts {
  /** Exclusion paths as configured (local and policy). */
  exclusions: Array<{ path: string; source: "local" | "policy" }>;
}

export interface StrayFact extends FileFact {
  /** Why it is considered stray: where it sits. */
  location: string;
}

/**
 * What a relevant event record means (docs/checks/ and docs/evtx.md cite each event's meaning):
 * an application crash, a Windows Error Reporting crash report or a hang of Outlook or
 * KoffBackend (Application 1000, 1001, 1002); Outlook's add-in load times and disabled add-ins
 * naming the connector (Outlook 45, 59); an install or removal of the connector (MsiInstaller
 * 1033/11707, 1034/11724); a Defender detection or action on a provider DLL or in a Kerio folder
 * (Defender 1116, 1117); any other Outlook or MAPI record naming the provider DLL.
 */
export type EventKind =
  | "app-crash"
  | "crash-report"
  | "app-hang"
  | "addins-loaded"
  | "addin-disabled"
  | "installed"
  | "removed"
  | "av-detected"
  | "av-action"
  | "provider-named";

/**
 * One relevant event-log record, as the event-log port answered it (channel, id, provider, ISO
 * 8601 UTC time, level, record number, the SID that logged it, its data fields), with its meaning.
 */
export interface EventFact extends EventRecord {
  kind: EventKind;
  /** One line in plain words: `OUTLOOK.EXE crashed in kofmsp32.dll 10.0.8104 (exception c0000005)`. */
  summary: string;
}

/** Where a host id came from (see {@link HostFacts.id}). */
export const HOST_ID_SOURCES = [
  "machine-guid",
  "machine-guid-sha256",
  "software-identity",
  "source",
] as const;

/**
 * Who the machine is, for a fleet: a stable id, its names, its Windows build and user. Read from
 * the registry (docs/fleet.md "The host block").
 */
export interface HostFacts {
  /**
   * Stable host id: the lower-case `MachineGuid` of `HKLM\SOFTWARE\Microsoft\Cryptography`
   * (`idSource: "machine-guid"`); in a redacted bundle (`collect --redact`), `sha256:` and the
   * hex SHA-256 of that GUID in lower case (`"machine-guid-sha256"`, the same id on every
   * collection of the machine); else `sha256:` and the hex SHA-256 of the SOFTWARE hive's
   * identity values (`"software-identity"`); else `sha256:` of the source description
   * (`"source"`: not stable across copies of the same machine).
   */
  id: string;
  idSource: (typeof HOST_ID_SOURCES)[number];
  /** `ComputerName` of the current control set, else the TCP/IP `Hostname`; absent when unknown. */
  computerName?: string;
  /** TCP/IP `Domain`, else `NV Domain`; absent when unknown. */
  domain?: string;
  /** Windows `ProductName` of `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`. */
  osProduct?: string;
  /** Windows build `CurrentBuild[.UBR]`, e.g. `"22631.3447"`. */
  osBuild?: string;
  /** `DisplayVersion` (`"23H2"`), else `ReleaseId`. */
  osVersion?: string;
  /** The last user logged on (LogonUI `LastLoggedOnUser`), else the only user hive's; absent when unknown. */
  user?: string;
}

export interface MachineFacts {
  mode: Mode;
  /** Who the machine is (the top-level `host` of `check --json`). */
  host: HostFacts;
  /** What was read, for the report header: `"image /cases/pc1"`. */
  source: string;
  users: string[];
  install: InstallFacts;
  updater: UpdaterFacts;
  office: OfficeFacts;
  profiles: ProfileFact[];
  defaultProfiles: DefaultProfileFact[];
  mapisvc: MapisvcFacts;
  caches: CacheFact[];
  /** Per-user cache root folders that exist (`%LOCALAPPDATA%\Kerio\Outlook Connector`). */
  cacheRoots: Array<{ user: string; path: string; onNetwork: boolean }>;
  defender: DefenderFacts;
  strays: StrayFact[];
  /** Free bytes on the system drive; undefined when the mode cannot see it. */
  freeDiskBytes?: number;
  /** Live only: running processes of interest. */
  processes?: Array<{ image: string; pid: number; modules?: string[] }>;
  /**
   * The relevant event-log records (Application, Defender Operational), newest first: read
   * from the `.evtx` files in image mode, through `wevtutil` live, from the carried records in a
   * bundle. Undefined when no event log could be read.
   */
  events?: EventFact[];
  /** Triage records of every connector binary, stray provider DLL and MAPISVC.INF target. */
  triage: TriageRecord[];
  /** Users whose registry hive is damaged: their profile facts may be incomplete. */
  damagedUserHives: string[];
  /** Facts this mode could not see, with the reason: `{ processes: "image mode" }`. */
  unknown: Record<string, string>;
  /**
   * Facts whose collector timed out or was skipped, with the reason: they hold empty defaults
   * (or are `undefined`), so the checks that read them are listed as not run. Absent when
   * everything was collected; a fact the mode cannot see at all (its port is absent) is
   * `undefined` with its reason in {@link MachineFacts.unknown} instead.
   */
  notCollected?: Partial<Record<keyof MachineFacts, string>>;
}

/** KOFF counts as installed when an Uninstall entry or an install folder is found. */
export function isInstalled(f: MachineFacts): boolean {
  return f.install.folders.length > 0 || f.install.uninstallEntries.length > 0;
}
