/** Registry model: the in-memory key tree, value codecs, root-key names, and a port over a tree. */
export {
  decodeRegString,
  decodeRegMultiString,
  encodeUtf16le,
  encodeRegString,
  encodeRegMultiString,
  encodeRegDword,
  encodeRegQword,
  decodeRegValue,
  regTypeName,
} from "./value-codec.js";
export {
  type RegTreeValue,
  type RegTreeKey,
  regNameKey,
  newRegTreeKey,
  findSubkey,
  findKey,
  ensureKey,
  setTreeValue,
  deleteTreeValue,
  deleteTreeKey,
  splitKeyPath,
} from "./reg-tree.js";
export { canonicalRootName, splitRegistryPath, isServiceOrTemplateUserHive } from "./registry-path.js";
export { TreeRegistryPort } from "./tree-registry-port.js";
