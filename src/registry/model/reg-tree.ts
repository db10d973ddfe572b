/**
 * An in-memory registry key tree: what the hive writer takes, what a `.reg` text is applied
 * to, and what the memory and `.reg` registry ports serve. Names compare case-insensitively as on
 * Windows (see {@link regNameKey}); insertion order is kept.
 *
 * Source: docs/registry.md ("Key tree").
 */

/** One value in a {@link RegTreeKey}: raw data of REG_* `type`. */
export interface RegTreeValue {
  /** Value name; `""` is the default value. */
  name: string;
  /** REG_* type number (any 32-bit unsigned number). */
  type: number;
  /** Raw data bytes as the registry stores them. */
  data: Uint8Array;
}

/** One key in a {@link RegTreeKey} tree. */
export interface RegTreeKey {
  /** Key name (one path component, no backslash). */
  name: string;
  /** Values in insertion order; names are unique case-insensitively. */
  values: RegTreeValue[];
  /** Subkeys in insertion order; names are unique case-insensitively. */
  subkeys: RegTreeKey[];
  /** Last write time; writers use a fixed default when absent. */
  lastWritten?: Date;
}

/**
 * The comparison key of a registry name: Windows compares key and value names
 * case-insensitively (it upcases UTF-16 code units). `String.prototype.toUpperCase` is used,
 * which agrees with Windows for every BMP letter that upcases to one code unit.
 */
export function regNameKey(name: string): string {
  return name.toUpperCase();
}

/** A new empty key named `name`. */
export function newRegTreeKey(name: string): RegTreeKey {
  return { name, values: [], subkeys: [] };
}

/** The direct subkey of `key` named `name` (case-insensitive), or `undefined`. */
export function findSubkey(key: RegTreeKey, name: string): RegTreeKey | undefined {
  const k = regNameKey(name);
  return key.subkeys.find((s) => regNameKey(s.name) === k);
}

/** The key at `segments` under `root` (case-insensitive), or `undefined`. */
export function findKey(root: RegTreeKey, segments: readonly string[]): RegTreeKey | undefined {
  let cur: RegTreeKey | undefined = root;
  for (const seg of segments) {
    if (cur === undefined) return undefined;
    cur = findSubkey(cur, seg);
  }
  return cur;
}

/** The key at `segments` under `root`, creating missing keys (with the given casing). */
export function ensureKey(root: RegTreeKey, segments: readonly string[]): RegTreeKey {
  let cur = root;
  for (const seg of segments) {
    let next = findSubkey(cur, seg);
    if (next === undefined) {
      next = newRegTreeKey(seg);
      cur.subkeys.push(next);
    }
    cur = next;
  }
  return cur;
}

/** Sets (adds or replaces, keeping position) value `value.name` of `key`. */
export function setTreeValue(key: RegTreeKey, value: RegTreeValue): void {
  const k = regNameKey(value.name);
  const i = key.values.findIndex((v) => regNameKey(v.name) === k);
  if (i >= 0) key.values[i] = value;
  else key.values.push(value);
}

/** Removes value `name` of `key`; returns whether it existed. */
export function deleteTreeValue(key: RegTreeKey, name: string): boolean {
  const k = regNameKey(name);
  const i = key.values.findIndex((v) => regNameKey(v.name) === k);
  if (i < 0) return false;
  key.values.splice(i, 1);
  return true;
}

/** Removes the key at `segments` (and its subtree) under `root`; returns whether it existed. */
export function deleteTreeKey(root: RegTreeKey, segments: readonly string[]): boolean {
  if (segments.length === 0) return false;
  const parent = findKey(root, segments.slice(0, -1));
  if (parent === undefined) return false;
  const k = regNameKey(segments[segments.length - 1] ?? "");
  const i = parent.subkeys.findIndex((s) => regNameKey(s.name) === k);
  if (i < 0) return false;
  parent.subkeys.splice(i, 1);
  return true;
}

/**
 * Splits a backslash-separated key path into components, dropping empty components (leading,
 * trailing or doubled backslashes), as Windows path lookups do.
 */
export function splitKeyPath(path: string): string[] {
  return path.split("\\").filter((s) => s.length > 0);
}
