/**
 * The values redaction replaces, found on the source before any member is written: user names,
 * computer, host and domain names, the paths that name the source, and the e-mail addresses
 * and host names in registry data, carried text files and log tails.
 *
 * Source: docs/bundle.md ("Redaction", "Whole values only").
 */
import type { HostFacts } from "../../check/facts.js";
import { RegType } from "../../ports/registry.js";
import { decodeRegString } from "../../registry/index.js";
import { findValue, valueAsString } from "../../windows/index.js";
import type { RecordedFileSystem, RecordedRegistry } from "../recording.js";
import { findSensitiveInText, type SensitiveCategory } from "../redaction.js";
import { TEXT_FILE } from "./bundle-members.js";
import type { SystemFacts } from "./system-facts.js";

/** One value to replace. */
export interface SensitiveValue {
  category: SensitiveCategory;
  value: string;
}

/** What {@link discoverSensitive} looks through. */
export interface SensitiveSources {
  /** The users `check` found. */
  users: readonly string[];
  /** The host block `check` found: its MachineGuid, computer name, domain and user. */
  host?: HostFacts;
  system: SystemFacts;
  registry: RecordedRegistry;
  fs: RecordedFileSystem;
  /** Text read outside the recording (log tails). */
  texts: readonly Uint8Array[];
  /** Host paths that name the source (the image folder). */
  sourcePaths: readonly string[];
}

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+/g;
const utf16 = new TextDecoder("utf-16le");
const utf8 = new TextDecoder("utf-8");

/** The domain of an e-mail address. */
const domainOf = (address: string) => address.slice(address.lastIndexOf("@") + 1);

/** Values found in `text`; each address brings its domain. */
function scanText(text: string, out: SensitiveValue[]): void {
  for (const f of findSensitiveInText(text)) {
    out.push(f);
    if (f.category === "email") out.push({ category: "domain", value: domainOf(f.value) });
  }
}

/**
 * Values in the recorded registry keys (certificate stores skipped: their blobs are never
 * edited): key and value names, string data, Office `UserInfo\UserName`, and the addresses in
 * binary data (MAPI profile properties store strings as binary, ANSI or UTF-16LE).
 */
function scanRegistry(registry: RecordedRegistry, out: SensitiveValue[]): void {
  for (const key of registry.keys.values()) {
    if (/\\SystemCertificates\\/i.test(key.path)) continue;
    // Key and value names carry data too (a profile named after an address, a server host).
    scanText([key.path, ...key.subkeys, ...key.values.map((v) => v.name)].join("\n"), out);
    if (/\\Office\\[^\\]+\\Common\\UserInfo$|\\Office\\Common\\UserInfo$/i.test(key.path)) {
      const name = valueAsString(findValue(key, "UserName"));
      if (name) out.push({ category: "user", value: name });
    }
    for (const v of key.values) {
      if (v.type === RegType.REG_SZ || v.type === RegType.REG_EXPAND_SZ || v.type === RegType.REG_MULTI_SZ)
        scanText(decodeRegString(v.data).replace(/\0/g, "\n"), out);
      else if (v.type === RegType.REG_BINARY || v.type > RegType.REG_QWORD) {
        // Addresses only: other words in binary data are too likely to be noise.
        for (const t of [utf16.decode(v.data), utf8.decode(v.data)])
          for (const m of t.matchAll(EMAIL))
            out.push({ category: "email", value: m[0] }, { category: "domain", value: domainOf(m[0]) });
      }
    }
  }
}

/**
 * The sensitive values of a source, in discovery order (the {@link Redactor} numbers them in
 * this order): users, registered owner, computer and host names, domain, the host block's
 * names and MachineGuid, source paths, then what the registry, the log tails and the carried text
 * files hold. Reads no port: only the recording and what was read before.
 */
export function discoverSensitive(sources: SensitiveSources): SensitiveValue[] {
  const { system } = sources;
  const out: SensitiveValue[] = [];
  for (const u of sources.users) out.push({ category: "user", value: u });
  for (const u of sources.registry.users ?? []) out.push({ category: "user", value: u.user });
  if (system.registeredOwner) out.push({ category: "user", value: system.registeredOwner });
  for (const h of [system.computerName, system.hostname]) if (h) out.push({ category: "host", value: h });
  if (system.domain) out.push({ category: "domain", value: system.domain });
  const host = sources.host;
  if (host?.user) out.push({ category: "user", value: host.user });
  if (host?.computerName) out.push({ category: "host", value: host.computerName });
  if (host?.domain) out.push({ category: "domain", value: host.domain });
  if (host?.idSource === "machine-guid") out.push({ category: "machine-id", value: host.id });
  for (const p of sources.sourcePaths) out.push({ category: "path", value: p });
  scanRegistry(sources.registry, out);
  const carried = [...sources.fs.values()]
    .filter((r) => r.content && TEXT_FILE.test(r.path))
    .map((r) => r.content!);
  for (const t of [...sources.texts, ...carried]) {
    const even = t.length >= 2 && ((t[0] === 0xff && t[1] === 0xfe) || (t.length > 1 && t[1] === 0));
    scanText(even ? utf16.decode(t) : utf8.decode(t), out);
  }
  return out;
}
