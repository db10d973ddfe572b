/**
 * A {@link RegistryPort} over an in-memory key tree whose top-level subkeys are the root keys
 * (`HKLM`, `HKU`, …). The memory port and the `.reg` port are built on it.
 *
 * Source: src/ports/registry.ts.
 */
import type { HiveHealth, RegKey, RegistryPort } from "../../ports/registry.js";
import { decodeRegValue } from "./value-codec.js";
import { findKey, findSubkey, type RegTreeKey } from "./reg-tree.js";
import { isServiceOrTemplateUserHive, splitRegistryPath } from "./registry-path.js";

/** A {@link RegistryPort} serving a {@link RegTreeKey} tree. */
export class TreeRegistryPort implements RegistryPort {
  readonly #tree: RegTreeKey;
  readonly #description: string;

  /**
   * @param tree - top-level subkeys are root names in short form (`HKLM`, `HKU`, `HKCU`, …).
   * @param description - what {@link describe} returns.
   */
  constructor(tree: RegTreeKey, description: string) {
    this.#tree = tree;
    this.#description = description;
  }

  /** The key at `path` (root long or short form, case-insensitive), or `undefined`. Never throws. */
  async getKey(path: string): Promise<RegKey | undefined> {
    const split = splitRegistryPath(path);
    if (split === undefined) return undefined;
    const root = findSubkey(this.#tree, split.root);
    if (root === undefined) return undefined;
    const names = [root.name];
    let cur: RegTreeKey | undefined = root;
    for (const seg of split.rest) {
      cur = findKey(cur, [seg]);
      if (cur === undefined) return undefined;
      names.push(cur.name);
    }
    const key: RegKey = {
      path: names.join("\\"),
      name: cur.name,
      values: cur.values.map((v) => decodeRegValue(v.name, v.type, v.data)),
      subkeys: cur.subkeys.map((s) => s.name),
    };
    if (cur.lastWritten) key.lastWritten = cur.lastWritten;
    return key;
  }

  /** The subkeys of `HKU` that are users (not `.DEFAULT`, `*_Classes`, or the service SIDs). */
  async users(): Promise<Array<{ user: string; root: string }>> {
    const hku = findSubkey(this.#tree, "HKU");
    if (hku === undefined) return [];
    return hku.subkeys
      .filter((k) => !isServiceOrTemplateUserHive(k.name))
      .map((k) => ({ user: k.name, root: `HKU\\${k.name}` }));
  }

  describe(): string {
    return this.#description;
  }

  /** `[]`: an in-memory tree has no hive files. */
  async health(): Promise<HiveHealth[]> {
    return [];
  }
}
