/**
 * Applies `.reg` operations, in order, to an in-memory key tree, as regedit applies a `.reg`
 * file to the registry: `[key]` creates the key and its missing parents, `[-key]` removes the
 * subtree, values are set or removed on the current key.
 *
 * Source: Microsoft KB 310516.
 */
import {
  deleteTreeKey,
  deleteTreeValue,
  ensureKey,
  findKey,
  newRegTreeKey,
  setTreeValue,
  splitKeyPath,
  type RegTreeKey,
} from "../model/reg-tree.js";
import type { RegOperation } from "./reg-operations.js";

/**
 * Applies `operations` to `tree` (default: a new tree with an unnamed top whose subkeys are the
 * root keys as written, e.g. `HKEY_LOCAL_MACHINE`) and returns it.
 * @param mapPath - rewrites each operation's key path before it is applied (e.g. root aliases).
 */
export function applyRegOperations(
  operations: Iterable<RegOperation>,
  tree: RegTreeKey = newRegTreeKey(""),
  mapPath: (path: string) => string = (p) => p,
): RegTreeKey {
  for (const op of operations) {
    const segments = splitKeyPath(mapPath(op.path));
    switch (op.kind) {
      case "create-key":
        ensureKey(tree, segments);
        break;
      case "delete-key":
        deleteTreeKey(tree, segments);
        break;
      case "set-value":
        setTreeValue(ensureKey(tree, segments), { name: op.name, type: op.type, data: op.data });
        break;
      case "delete-value": {
        const key = findKey(tree, segments);
        if (key) deleteTreeValue(key, op.name);
        break;
      }
    }
  }
  return tree;
}
