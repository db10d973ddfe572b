/**
 * A tiny in-memory RegistryPort for the Windows-state tests: keys are given as a flat map of
 * full paths to values; ancestors are created implicitly; lookups are case-insensitive.
 */
import {
  RegType,
  type HiveHealth,
  type RegKey,
  type RegValue,
  type RegistryPort,
} from "../../../src/ports/registry.js";

/** Shorthand value forms: string → REG_SZ, number → REG_DWORD, bigint → REG_QWORD, string[] → REG_MULTI_SZ, bytes → REG_BINARY. */
export type FakeValue =
  | string
  | number
  | bigint
  | string[]
  | Uint8Array
  | { type: number; data: Uint8Array; value?: RegValue["value"] };

export type FakeSpec = Record<string, Record<string, FakeValue>>;

export function utf16z(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s + "\0", "utf16le"));
}

/** PT_STRING8 bytes (Windows-1252 via latin1 for ASCII/Latin-1 text) with a NUL. */
export function ansiz(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s + "\0", "latin1"));
}

/** Concatenated 16-byte UIDs from hex strings. */
export function uidList(...hex: string[]): Uint8Array {
  return new Uint8Array(Buffer.from(hex.join(""), "hex"));
}

export function toRegValue(name: string, v: FakeValue): RegValue {
  if (typeof v === "string") return { name, type: RegType.REG_SZ, data: utf16z(v), value: v };
  if (typeof v === "number") {
    const data = new Uint8Array(4);
    new DataView(data.buffer).setUint32(0, v >>> 0, true);
    return { name, type: RegType.REG_DWORD, data, value: v >>> 0 };
  }
  if (typeof v === "bigint") {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setBigUint64(0, v, true);
    return { name, type: RegType.REG_QWORD, data, value: v };
  }
  if (Array.isArray(v))
    return { name, type: RegType.REG_MULTI_SZ, data: utf16z(v.join("\0") + "\0"), value: v };
  if (v instanceof Uint8Array) return { name, type: RegType.REG_BINARY, data: v };
  return v.value === undefined
    ? { name, type: v.type, data: v.data }
    : { name, type: v.type, data: v.data, value: v.value };
}

export class FakeRegistry implements RegistryPort {
  readonly #keys = new Map<string, RegKey>();
  readonly #users: Array<{ user: string; root: string }>;
  /** Every path asked for, in order (tests assert on access patterns). */
  readonly requested: string[] = [];

  constructor(
    spec: FakeSpec,
    users: Array<{ user: string; root: string }> = [{ user: "alice", root: "HKU\\alice" }],
  ) {
    this.#users = users;
    for (const [path, values] of Object.entries(spec)) {
      const key = this.#ensure(path);
      for (const [name, v] of Object.entries(values)) key.values.push(toRegValue(name, v));
    }
  }

  #ensure(path: string): RegKey {
    const norm = path.toLowerCase();
    const existing = this.#keys.get(norm);
    if (existing) return existing;
    const parts = path.split("\\");
    const key: RegKey = { path, name: parts[parts.length - 1] ?? path, values: [], subkeys: [] };
    this.#keys.set(norm, key);
    if (parts.length > 1) {
      const parent = this.#ensure(parts.slice(0, -1).join("\\"));
      parent.subkeys.push(key.name);
    }
    return key;
  }

  async getKey(path: string): Promise<RegKey | undefined> {
    this.requested.push(path);
    const key = this.#keys.get(path.toLowerCase());
    return key === undefined
      ? undefined
      : { ...key, path, values: [...key.values], subkeys: [...key.subkeys] };
  }

  async users(): Promise<Array<{ user: string; root: string }>> {
    return this.#users;
  }

  /** `[]`: no hive files behind this fake. */
  async health(): Promise<HiveHealth[]> {
    return [];
  }

  describe(): string {
    return "fake registry";
  }
}
