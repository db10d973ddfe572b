/**
 * An in-memory {@link RegistryPort} built from a plain object, for tests of code written
 * against the registry port:
 *
 * ```ts
 * const reg = createMemoryRegistryPort({
 *   "HKCU\\Software\\Microsoft\\Office\\16.0\\Outlook": { DefaultProfile: "Outlook" },
 *   "HKLM\\SOFTWARE\\Kerio": { Version: 0x0a00, Paths: ["a", "b"], Blob: new Uint8Array([1, 2]) },
 *   "HKU\\alice\\Software": {},
 * });
 * ```
 *
 * Source: src/ports/registry.ts.
 */
import { RegType } from "../../ports/registry.js";
import { RegistryError } from "../../registry/errors.js";
import {
  encodeRegDword,
  encodeRegMultiString,
  encodeRegQword,
  encodeRegString,
} from "../../registry/model/value-codec.js";
import { ensureKey, newRegTreeKey, setTreeValue, splitKeyPath } from "../../registry/model/reg-tree.js";
import { canonicalRootName } from "../../registry/model/registry-path.js";
import { TreeRegistryPort } from "../../registry/model/tree-registry-port.js";

/**
 * One value of a {@link MemoryRegistrySpec}: a string is REG_SZ, a number REG_DWORD (an unsigned
 * 32-bit integer), a bigint REG_QWORD, a string array REG_MULTI_SZ, bytes REG_BINARY;
 * `{ type, data }` gives raw bytes of any type; `{ type, value }` encodes `value` for that type.
 */
export type MemoryValueSpec =
  | string
  | number
  | bigint
  | string[]
  | Uint8Array
  | { type: number; data: Uint8Array }
  | { type: number; value: string | string[] | number | bigint };

/** Full key paths (with root, e.g. `HKLM\SOFTWARE\X`) to their values; parents are created implicitly. */
export type MemoryRegistrySpec = Record<string, Record<string, MemoryValueSpec>>;

/**
 * The raw data and type for `spec`.
 * @throws RegistryError `unsupported` for a number that is not an unsigned 32-bit integer, or a
 * `{ type, value }` whose value does not fit the type.
 */
export function encodeMemoryValue(spec: MemoryValueSpec, path = ""): { type: number; data: Uint8Array } {
  if (typeof spec === "string") return { type: RegType.REG_SZ, data: encodeRegString(spec) };
  if (typeof spec === "bigint") return { type: RegType.REG_QWORD, data: encodeRegQword(spec) };
  if (typeof spec === "number") {
    if (!Number.isInteger(spec) || spec < 0 || spec > 0xffffffff) {
      throw new RegistryError("unsupported", `${spec} is not a REG_DWORD`, { path });
    }
    return { type: RegType.REG_DWORD, data: encodeRegDword(spec) };
  }
  if (Array.isArray(spec)) return { type: RegType.REG_MULTI_SZ, data: encodeRegMultiString(spec) };
  if (spec instanceof Uint8Array) return { type: RegType.REG_BINARY, data: spec };
  if ("data" in spec) return { type: spec.type, data: spec.data };
  const { type, value } = spec;
  if (
    typeof value === "string" &&
    (type === RegType.REG_SZ || type === RegType.REG_EXPAND_SZ || type === RegType.REG_LINK)
  ) {
    return { type, data: encodeRegString(value) };
  }
  if (Array.isArray(value) && type === RegType.REG_MULTI_SZ)
    return { type, data: encodeRegMultiString(value) };
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) {
    if (type === RegType.REG_DWORD) return { type, data: encodeRegDword(value) };
    if (type === RegType.REG_DWORD_BIG_ENDIAN) {
      const data = new Uint8Array(4);
      new DataView(data.buffer).setUint32(0, value, false);
      return { type, data };
    }
  }
  if (typeof value === "bigint" && type === RegType.REG_QWORD) return { type, data: encodeRegQword(value) };
  throw new RegistryError("unsupported", `cannot encode ${typeof value} as registry type ${type}`, { path });
}

/**
 * A {@link RegistryPort} serving `spec`. Root names may be long or short (`HKEY_LOCAL_MACHINE` or
 * `HKLM`); `users()` lists the subkeys of `HKU` (except `.DEFAULT`, `*_Classes`, service SIDs).
 * @throws RegistryError `unsupported` for values that cannot be encoded, or a path without a root.
 */
export function createMemoryRegistryPort(
  spec: MemoryRegistrySpec,
  description = "memory registry",
): TreeRegistryPort {
  const tree = newRegTreeKey("");
  for (const [path, values] of Object.entries(spec)) {
    const parts = splitKeyPath(path);
    if (parts.length === 0) throw new RegistryError("unsupported", "empty key path", { path });
    parts[0] = canonicalRootName(parts[0]!) ?? parts[0]!;
    const key = ensureKey(tree, parts);
    for (const [name, v] of Object.entries(values))
      setTreeValue(key, { name, ...encodeMemoryValue(v, path) });
  }
  return new TreeRegistryPort(tree, description);
}
