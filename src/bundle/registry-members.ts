/**
 * The registry half of a bundle: recorded keys exported as `.reg` files (format 5.00, UTF-16LE
 * with BOM, as `reg export` writes them), one per hive (`registry/HKLM-SOFTWARE.reg`,
 * `registry/HKU-alice.reg`), plus `registry/index.json` (which file holds which hive, the
 * recorded `users()` answer, and the hives the source found damaged or dirty). Replay (src/adapters/bundle/bundle-registry.ts) loads them with
 * the `.reg`-file registry port.
 *
 * Every recorded key is written with all its values, and every subkey name it listed is written
 * as a (possibly empty) key, so a replayed key lists the same subkeys in the same order.
 *
 * Source: src/registry/reg-file/write-reg-file.ts (the writer), src/adapters/bundle/bundle-registry.ts
 * (the reader); `reg export`
 * (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/reg-export).
 */
import type { HiveHealth, RegKey } from "../ports/registry.js";
import {
  DEFAULT_HIVE_LIMITS,
  canonicalRootName,
  regNameKey,
  splitKeyPath,
  writeRegFile,
  type RegExportKey,
} from "../registry/index.js";
import { BundleError } from "./errors.js";
import { hiveFileStem } from "./layout.js";
import type { RecordedRegistry } from "./recording.js";

/** `registry/index.json`. */
export interface RegistryIndex {
  version: 1;
  hives: Array<{ hive: string; member: string }>;
  /** The source's `users()` answer, when it was asked. */
  users?: Array<{ user: string; root: string }>;
  /**
   * The hives the source found damaged or dirty (its `health()` answer, clean hives left out),
   * which `check --bundle` reports as `check` did on the source. Absent in bundles written before.
   */
  hiveHealth?: RecordedHiveHealth[];
}

/** One damaged or dirty hive as `registry/index.json` carries it. */
export interface RecordedHiveHealth {
  /** Where it was mounted, e.g. `HKU\alice`. */
  mount: string;
  /** The file on disk was dirty (see {@link HiveHealth}.dirty). */
  dirty: boolean;
  /** The damage found, at most {@link MAX_CARRIED_ANOMALIES} (the hive parser keeps no more). */
  anomalies: Array<{ code: string; message: string; offset?: number }>;
  /** How a dirty hive was replayed from its logs, or why not (the per-log outcomes are not carried). */
  recovery?: { recovered: boolean; summary: string };
}

/** Most anomalies carried per hive: the hive parser's own cap ({@link DEFAULT_HIVE_LIMITS}). */
export const MAX_CARRIED_ANOMALIES = DEFAULT_HIVE_LIMITS.maxAnomalies;
/** Most damaged or dirty hives `registry/index.json` may name (a machine has a few dozen hives). */
export const MAX_CARRIED_HIVE_HEALTH = 4096;

/** The damaged or dirty hives of a `health()` answer, as the bundle carries them. */
function carriedHealth(health: readonly HiveHealth[]): RecordedHiveHealth[] {
  return health
    .filter((h) => h.dirty || h.anomalies.length > 0)
    .slice(0, MAX_CARRIED_HIVE_HEALTH)
    .map((h) => ({
      mount: h.mount,
      dirty: h.dirty,
      anomalies: h.anomalies
        .slice(0, MAX_CARRIED_ANOMALIES)
        .map((a) =>
          a.offset === undefined
            ? { code: a.code, message: a.message }
            : { code: a.code, message: a.message, offset: a.offset },
        ),
      ...(h.recovery ? { recovery: { recovered: h.recovery.recovered, summary: h.recovery.summary } } : {}),
    }));
}

/**
 * The carried hive health as the registry port of bundle mode answers `health()`: `file` names
 * the mount (a bundle carries no hive file), `recovery.logs` is empty.
 */
export function replayedHiveHealth(carried: readonly RecordedHiveHealth[]): HiveHealth[] {
  return carried.map((h) => ({
    mount: h.mount,
    file: `${h.mount} (hive file not carried; its health as recorded at collection)`,
    dirty: h.dirty,
    // The codes were checked to be kebab-case words; which union they belong to is not told apart.
    anomalies: h.anomalies.map((a) => ({ ...a })) as HiveHealth["anomalies"],
    ...(h.recovery ? { recovery: { ...h.recovery, logs: [] } } : {}),
  }));
}

const LONG_ROOT: Record<string, string> = {
  HKLM: "HKEY_LOCAL_MACHINE",
  HKU: "HKEY_USERS",
  HKCU: "HKEY_CURRENT_USER",
  HKCR: "HKEY_CLASSES_ROOT",
  HKCC: "HKEY_CURRENT_CONFIG",
};

/** `HKLM\SOFTWARE\X` → `["HKLM", "SOFTWARE", "X"]` with the short root. */
function parts(path: string): string[] {
  const p = splitKeyPath(path);
  const root = p[0] === undefined ? undefined : canonicalRootName(p[0]);
  return root === undefined ? p : [root, ...p.slice(1)];
}

/** The `.reg` members (name → bytes) and index for the recorded keys. */
export function serializeRegistry(rec: RecordedRegistry): {
  index: RegistryIndex;
  members: Map<string, Uint8Array>;
} {
  // Recorded keys by upper-cased full path, grouped by hive (first two components).
  const byHive = new Map<string, { hive: string; keys: Map<string, RegKey> }>();
  for (const key of rec.keys.values()) {
    const p = parts(key.path);
    if (p.length < 2) continue; // HKLM / HKU themselves are virtual listings
    const hive = `${p[0]}\\${p[1]}`;
    const hk = regNameKey(hive);
    let g = byHive.get(hk);
    if (g === undefined) {
      g = { hive, keys: new Map() };
      byHive.set(hk, g);
    }
    g.keys.set(regNameKey(p.join("\\")), key);
  }
  for (const u of rec.users ?? []) {
    const p = parts(u.root);
    const hk = regNameKey(p.join("\\"));
    if (p.length === 2 && !byHive.has(hk)) byHive.set(hk, { hive: p.join("\\"), keys: new Map() });
  }

  const members = new Map<string, Uint8Array>();
  const hives: RegistryIndex["hives"] = [];
  const usedNames = new Set<string>();
  for (const { hive, keys } of [...byHive.values()].sort((a, b) => (a.hive < b.hive ? -1 : 1))) {
    // Children of each path that some recorded key lies under (for paths never read themselves):
    // upper-cased parent path → upper-cased child name → child name as first seen.
    const below = new Map<string, Map<string, string>>();
    for (const k of keys.values()) {
      const p = parts(k.path);
      let parent = p.length > 1 ? regNameKey(`${p[0]}\\${p[1]}`) : "";
      for (let i = 2; i < p.length; i++) {
        const name = p[i]!;
        const nameKey = regNameKey(name);
        let list = below.get(parent);
        if (list === undefined) {
          list = new Map();
          below.set(parent, list);
        }
        if (!list.has(nameKey)) list.set(nameKey, name);
        parent = `${parent}\\${nameKey}`;
      }
    }
    const out: RegExportKey[] = [];
    const visited = new Set<string>();
    const visit = (path: string[]) => {
      const k = regNameKey(path.join("\\"));
      if (visited.has(k)) return;
      visited.add(k);
      const recorded = keys.get(k);
      const longPath = [LONG_ROOT[path[0]!] ?? path[0]!, ...path.slice(1)].join("\\");
      out.push({
        path: longPath,
        values: (recorded?.values ?? []).map((v) => ({ name: v.name, type: v.type, data: v.data })),
      });
      const children = [...(recorded?.subkeys ?? [])];
      const listed = new Set(children.map(regNameKey));
      for (const [nameKey, c] of below.get(k) ?? []) if (!listed.has(nameKey)) children.push(c);
      for (const c of children) visit([...path, c]);
    };
    const top = parts(hive);
    const rootKey = keys.get(regNameKey(top.join("\\")));
    visit(rootKey ? parts(rootKey.path).slice(0, 2) : top);
    let stem = hiveFileStem(hive);
    for (let n = 2; usedNames.has(stem.toLowerCase()); n++) stem = `${hiveFileStem(hive)}-${n}`;
    usedNames.add(stem.toLowerCase());
    const member = `registry/${stem}.reg`;
    members.set(member, writeRegFile(out));
    hives.push({ hive, member });
  }
  const index: RegistryIndex = { version: 1, hives };
  if (rec.users) index.users = rec.users;
  const health = carriedHealth(rec.health ?? []);
  if (health.length > 0) index.hiveHealth = health;
  return { index, members };
}

/**
 * Checks the shape of a parsed `registry/index.json`.
 * @throws BundleError `member-invalid`.
 */
export function validateRegistryIndex(v: unknown, memberPath: string): RegistryIndex {
  const idx = v as RegistryIndex;
  const ok =
    typeof v === "object" &&
    v !== null &&
    idx.version === 1 &&
    Array.isArray(idx.hives) &&
    idx.hives.every((h) => typeof h?.hive === "string" && typeof h?.member === "string") &&
    (idx.users === undefined ||
      (Array.isArray(idx.users) &&
        idx.users.every((u) => typeof u?.user === "string" && typeof u?.root === "string"))) &&
    (idx.hiveHealth === undefined || isCarriedHealth(idx.hiveHealth));
  if (!ok)
    throw new BundleError("member-invalid", `${memberPath}: not a version 1 registry index`, {
      path: memberPath,
    });
  return idx;
}

/** Codes are kebab-case words (RegistryErrorCode, InputFileErrorCode); anything else is not ours. */
const CODE = /^[a-z][a-z0-9-]{0,63}$/;

/** Whether `v` is a well-typed `hiveHealth` list within the caps. */
function isCarriedHealth(v: unknown): boolean {
  if (!Array.isArray(v) || v.length > MAX_CARRIED_HIVE_HEALTH) return false;
  return v.every((h: Partial<RecordedHiveHealth> | null) => {
    if (typeof h !== "object" || h === null || typeof h.mount !== "string" || typeof h.dirty !== "boolean")
      return false;
    const r = h.recovery;
    if (
      r !== undefined &&
      (typeof r !== "object" ||
        r === null ||
        typeof r.recovered !== "boolean" ||
        typeof r.summary !== "string")
    )
      return false;
    const a = h.anomalies;
    return (
      Array.isArray(a) &&
      a.length <= MAX_CARRIED_ANOMALIES &&
      a.every(
        (x: Partial<RecordedHiveHealth["anomalies"][number]> | null) =>
          typeof x === "object" &&
          x !== null &&
          typeof x.code === "string" &&
          CODE.test(x.code) &&
          typeof x.message === "string" &&
          (x.offset === undefined || (Number.isSafeInteger(x.offset) && x.offset >= 0)),
      )
    );
  });
}
