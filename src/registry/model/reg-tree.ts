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

/**
 * Name indexes of subkey and value arrays, built on first lookup and kept up to date by the
 * helpers below, so that building a key with n subkeys or values costs O(n), not O(n²).
 * Keyed by the array itself: an array replaced wholesale gets a fresh index. Entries appended to
 * an array directly (`key.subkeys.push(k)`) are indexed on the next lookup; any other direct
 * change (removal, reordering, renaming) is seen only as far as the length check below goes, so
 * such changes go through {@link deleteTreeKey} / {@link deleteTreeValue}.
 */
interface NameIndex<T> {
  /** Upper-cased name → first entry with that name, as `Array.prototype.find` would return it. */
  byName: Map<string, T>;
  /** How many leading array entries were indexed. */
  indexed: number;
  /** How many of them were not the first of their name (a hand-built list may repeat a name). */
  duplicates: number;
  /** Entry → its index in the array, for in-place replacement; dropped by a removal, rebuilt when next needed. */
  positions: Map<T, number> | undefined;
}
const subkeyIndexes = new WeakMap<RegTreeKey[], NameIndex<RegTreeKey>>();
const valueIndexes = new WeakMap<RegTreeValue[], NameIndex<RegTreeValue>>();

/** The up-to-date index of `list` (entries appended since the last call are added). */
function nameIndex<T extends { name: string }>(indexes: WeakMap<T[], NameIndex<T>>, list: T[]): NameIndex<T> {
  let idx = indexes.get(list);
  if (idx === undefined || idx.indexed > list.length) {
    idx = { byName: new Map(), indexed: 0, duplicates: 0, positions: undefined };
    indexes.set(list, idx);
  }
  for (; idx.indexed < list.length; idx.indexed++) {
    const entry = list[idx.indexed]!;
    if (idx.positions !== undefined && !idx.positions.has(entry)) idx.positions.set(entry, idx.indexed);
    const k = regNameKey(entry.name);
    if (idx.byName.has(k)) idx.duplicates++;
    else idx.byName.set(k, entry);
  }
  return idx;
}

/** Removes `entry`, the first entry named `k`, from `list` and from its (up-to-date) index `idx`. */
function removeIndexed<T extends { name: string }>(idx: NameIndex<T>, list: T[], k: string, entry: T): void {
  list.splice(list.indexOf(entry), 1);
  idx.indexed--;
  idx.positions = undefined;
  idx.byName.delete(k);
  if (idx.duplicates === 0) return;
  // A hand-built list may name an entry twice: the next one of that name becomes the first.
  const next = list.find((e) => regNameKey(e.name) === k);
  if (next === undefined) return;
  idx.byName.set(k, next);
  idx.duplicates--;
}

/** The direct subkey of `key` named `name` (case-insensitive), or `undefined`. O(1) after the first call. */
export function findSubkey(key: RegTreeKey, name: string): RegTreeKey | undefined {
  return nameIndex(subkeyIndexes, key.subkeys).byName.get(regNameKey(name));
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
  const idx = nameIndex(valueIndexes, key.values);
  const old = idx.byName.get(k);
  if (old === undefined) {
    key.values.push(value);
    nameIndex(valueIndexes, key.values);
    return;
  }
  let positions = idx.positions;
  let at = positions?.get(old);
  if (positions === undefined || at === undefined || key.values[at] !== old) {
    positions = new Map();
    for (let i = key.values.length - 1; i >= 0; i--) positions.set(key.values[i]!, i);
    idx.positions = positions;
    at = positions.get(old)!;
  }
  key.values[at] = value;
  positions.delete(old);
  positions.set(value, at);
  idx.byName.set(k, value);
}

/** Removes value `name` of `key`; returns whether it existed. */
export function deleteTreeValue(key: RegTreeKey, name: string): boolean {
  const k = regNameKey(name);
  const idx = nameIndex(valueIndexes, key.values);
  const old = idx.byName.get(k);
  if (old === undefined) return false;
  removeIndexed(idx, key.values, k, old);
  return true;
}

/** Removes the key at `segments` (and its subtree) under `root`; returns whether it existed. */
export function deleteTreeKey(root: RegTreeKey, segments: readonly string[]): boolean {
  if (segments.length === 0) return false;
  const parent = findKey(root, segments.slice(0, -1));
  if (parent === undefined) return false;
  const k = regNameKey(segments[segments.length - 1] ?? "");
  const idx = nameIndex(subkeyIndexes, parent.subkeys);
  const child = idx.byName.get(k);
  if (child === undefined) return false;
  removeIndexed(idx, parent.subkeys, k, child);
  return true;
}

/**
 * Splits a backslash-separated key path into components, dropping empty components (leading,
 * trailing or doubled backslashes), as Windows path lookups do.
 */
export function splitKeyPath(path: string): string[] {
  return path.split("\\").filter((s) => s.length > 0);
}
