/** Registry model: the in-memory key tree and value codecs. */
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
