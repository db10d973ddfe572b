/**
 * The registry port: one read-only view of Windows registry state, whatever its source
 * (an image's hive files, `.reg` exports in a bundle, or a live machine through `reg.exe`).
 * Domain readers (profiles, MAPISVC.INF locator, Office, Defender, certificate stores,
 * Uninstall entries) are written against this interface only.
 *
 * Key paths use the Win32 form with a root key name: `HKLM\SOFTWARE\Microsoft\...`,
 * `HKU\<user>\Software\...`. Lookups are case-insensitive, as on Windows.
 *
 * Source: docs/windows-state.md; Microsoft "Registry Hives"
 * (https://learn.microsoft.com/en-us/windows/win32/sysinfo/registry-hives).
 */
import type { HiveAnomaly } from "../registry/hive/hive-context.js";
import type { HiveRecovery } from "../registry/hive/replay-logs.js";
import type { InputFileErrorCode } from "../util/input-file-error.js";

/** Registry value types (winnt.h REG_*). Unknown types keep their number in `RegValue.type`. */
export const RegType = {
  REG_NONE: 0,
  REG_SZ: 1,
  REG_EXPAND_SZ: 2,
  REG_BINARY: 3,
  REG_DWORD: 4,
  REG_DWORD_BIG_ENDIAN: 5,
  REG_LINK: 6,
  REG_MULTI_SZ: 7,
  REG_RESOURCE_LIST: 8,
  REG_FULL_RESOURCE_DESCRIPTOR: 9,
  REG_RESOURCE_REQUIREMENTS_LIST: 10,
  REG_QWORD: 11,
} as const;

/** A decoded registry value. `data` is always the raw bytes; the typed view depends on `type`. */
export interface RegValue {
  /** Value name; `""` is the key's default value. */
  name: string;
  /** REG_* type number (may be one not in {@link RegType}). */
  type: number;
  /** Raw data bytes as stored. */
  data: Uint8Array;
  /**
   * Decoded view: string for SZ/EXPAND_SZ/LINK, string[] for MULTI_SZ, number for DWORD
   * (LE or BE), bigint for QWORD, otherwise undefined (use `data`).
   */
  value?: string | string[] | number | bigint;
}

/** One key: its name, values and subkey names. */
export interface RegKey {
  /** Full path with root, as asked for (canonical casing where the source has it). */
  path: string;
  /** Last path component as stored. */
  name: string;
  /** Last write time, when the source records it. */
  lastWritten?: Date;
  values: RegValue[];
  subkeys: string[];
}

/**
 * The state of one hive file a registry source opened (image mode), for evidence: a damaged
 * hive is read permissively, so facts read from it may be incomplete.
 */
export interface HiveHealth {
  /** Where the hive is mounted, e.g. `HKLM\SOFTWARE`, `HKU\alice`. */
  mount: string;
  /** Host path of the hive file. */
  file: string;
  /**
   * The hive file on disk is dirty (its base block's sequence numbers differ, or it was replayed
   * from its logs): it was not cleanly flushed, and what is read is not what the file holds, so
   * repairs never write it.
   */
  dirty: boolean;
  /**
   * How the dirty hive was replayed from its `.LOG1`/`.LOG2` (reads see the recovered hive when
   * `recovery.recovered`), or why it could not be; absent for a clean hive and for sources
   * without hive files.
   */
  recovery?: HiveRecovery;
  /**
   * Damage the permissive parser worked around (truncated bins, bad cells); empty when clean.
   * A hive file the source refused unopened (a FIFO, device, folder or symlink loop where the
   * hive should be) has no parsed content and one {@link HiveRefusal} here.
   */
  anomalies: readonly (HiveAnomaly | HiveRefusal)[];
}

/** Why a hive file was not read at all: the path's {@link InputFileErrorCode} (e.g. `not-a-file`). */
export interface HiveRefusal {
  code: InputFileErrorCode;
  /** What the path is, e.g. `"a FIFO (named pipe), not a regular file; not read"`. */
  message: string;
  /** Never set: nothing was read, so no offset is at fault (kept so both anomaly kinds read alike). */
  offset?: undefined;
}

/** Read-only access to registry state. Implementations never throw for a missing key. */
export interface RegistryPort {
  /** The key at `path`, or `undefined` when it does not exist. */
  getKey(path: string): Promise<RegKey | undefined>;
  /** User hives visible to this source: `[{ user: "alice", root: "HKU\\alice" }]`. */
  users(): Promise<Array<{ user: string; root: string }>>;
  /** What this source is, for evidence ("image hive C:/img/Windows/System32/config/SOFTWARE", "live reg.exe", …). */
  describe(): string;
  /**
   * The hive files this source has opened so far (hives open lazily, on the first read below
   * their mount), in the order they were opened, with their dirty flag and anomalies. A hive that
   * failed to open is left out (the read that opened it threw); a hive file refused unopened (not
   * a regular file) is listed with one {@link HiveRefusal}, its reads answering as absent.
   * Sources without hive files (`.reg` exports, `reg.exe`, fakes) answer `[]`. Never throws.
   */
  health(): Promise<HiveHealth[]>;
}
