/**
 * `manifest.json`: the tool version, creation time, mode and source, and each member's sha256
 * and size. Reading a bundle checks every member against it; any difference is tampering.
 *
 * The manifest proves integrity against accidental or careless change, not authenticity:
 * whoever can rewrite a member can rewrite the manifest too (docs/bundle.md "Tampering").
 *
 * Source: docs/bundle.md ("The manifest is validated whole").
 */
import { createHash } from "node:crypto";
import { HOST_ID_SOURCES, type HostFacts } from "../check/facts.js";
import { DEFANG_SCHEME } from "./defang.js";
import { BundleError } from "./errors.js";
import { MEMBER } from "./layout.js";
import { validateMemberName } from "./zip-reader.js";

/** One member line of the manifest: the zip member as stored. */
export interface ManifestMember {
  path: string;
  /** Bytes. */
  size: number;
  sha256: string;
  /**
   * Set when the member is a defanged binary (src/bundle/defang.ts): the real member's name (what
   * the indexes name), its size in bytes and the sha256 of its real bytes.
   */
  defanged?: { path: string; size: number; sha256: string; scheme: typeof DEFANG_SCHEME };
}

/** The manifest's `host`: the check's host block (docs/json-contract.md "host"), the same type. */
export type ManifestHost = HostFacts;

/** A RFC 9562 UUID in its canonical text form. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The optional fields of the host block, every one a string (a Record: a field added to HostFacts must be listed). */
const HOST_FIELD_SET: Record<Exclude<keyof HostFacts, "id" | "idSource">, true> = {
  computerName: true,
  domain: true,
  osProduct: true,
  osBuild: true,
  osVersion: true,
  user: true,
};
const HOST_FIELDS = Object.keys(HOST_FIELD_SET) as Array<keyof typeof HOST_FIELD_SET>;

/** A binary member a redacted bundle carries as is although it holds a redacted value. */
export interface UnredactedMember {
  member: string;
  reason: string;
}

/** `manifest.json` (schema version 1; `runId` and `host` added in koff-doctor 0.1.0's fleet contract). */
export interface BundleManifest {
  schemaVersion: 1;
  kind: "koff-doctor-bundle";
  tool: { name: string; version: string };
  /** ISO 8601 UTC: the real time of collection. */
  createdAt: string;
  /** The collection's run id (a UUID), as `check.json` reports it; absent in older bundles. */
  runId?: string;
  /** Who the machine is, as `check.json` reports it (redacted with `--redact`); absent in older bundles. */
  host?: ManifestHost;
  /** The mode the bundle was collected in (`image` or `live`). */
  mode: string;
  /** What was collected, as `check` describes it (redacted with `--redact`). */
  source: string;
  redacted: boolean;
  /**
   * Redacted bundles: binary members carried as is although they hold a redacted value
   * (binaries are never edited; docs/bundle.md "Redaction"). Empty when there are none.
   */
  unredacted?: UnredactedMember[];
  /** Collection caps in force, in bytes / counts. */
  caps: Record<string, number>;
  /** What the collector noted: files not carried, values redaction kept, skipped logs. */
  notes: string[];
  members: ManifestMember[];
}

/** Lower-case hex sha256 of `data`. */
export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Most entries of `members` and `notes`, and most `caps` (the reader's entry cap bounds members anyway). */
const MAX_MANIFEST_ITEMS = 10_000;
/** Longest string field of the manifest, in UTF-16 code units. */
const MAX_STRING_LENGTH = 64 * 1024;
/** Object keys refused anywhere in the manifest: they mean something to JavaScript objects. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** An ISO 8601 UTC time as `Date.toISOString` writes it. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** The manifest-invalid error for the field at JSON path `at` (`$.members[3].size`). */
function invalid(at: string, why: string): BundleError {
  return new BundleError("manifest-invalid", `${MEMBER.manifest}: ${at} ${why}`, {
    path: `${MEMBER.manifest}#${at}`,
  });
}

/** A JSON type name for messages: `null`, `array`, `object`, `string`, `number`, `boolean`. */
function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** `v` as a plain JSON object, with no key that means something to JavaScript. */
function object(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw invalid(at, `must be an object, not ${typeName(v)}`);
  for (const k of Object.keys(v))
    if (FORBIDDEN_KEYS.has(k)) throw invalid(`${at}.${k}`, "is a forbidden key");
  return v as Record<string, unknown>;
}

/** `o[key]` as a string of at most {@link MAX_STRING_LENGTH}, required. */
function string(o: Record<string, unknown>, key: string, at: string): string {
  const v = Object.hasOwn(o, key) ? o[key] : undefined;
  if (typeof v !== "string")
    throw invalid(`${at}.${key}`, `must be a string, not ${v === undefined ? "missing" : typeName(v)}`);
  if (v.length > MAX_STRING_LENGTH)
    throw invalid(`${at}.${key}`, `is longer than ${MAX_STRING_LENGTH} characters`);
  return v;
}

/** `v` as a finite, non-negative safe integer (a byte count or a cap). */
function count(v: unknown, at: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
    throw invalid(
      at,
      `must be a non-negative integer, not ${typeof v === "number" ? String(v) : typeName(v)}`,
    );
  return v;
}

/** `o[key]` as an array of at most {@link MAX_MANIFEST_ITEMS} items, required. */
function array(o: Record<string, unknown>, key: string, at: string): unknown[] {
  const v = Object.hasOwn(o, key) ? o[key] : undefined;
  if (!Array.isArray(v))
    throw invalid(`${at}.${key}`, `must be an array, not ${v === undefined ? "missing" : typeName(v)}`);
  if (v.length > MAX_MANIFEST_ITEMS)
    throw invalid(`${at}.${key}`, `has ${v.length} items, over the cap of ${MAX_MANIFEST_ITEMS}`);
  return v;
}

/** `o[key]` as an object, required. */
function member(o: Record<string, unknown>, key: string, at: string): Record<string, unknown> {
  return object(Object.hasOwn(o, key) ? o[key] : undefined, `${at}.${key}`);
}

/**
 * Validates a parsed `manifest.json` whole, before anything uses it: every field's type, the
 * required fields, the literal `schemaVersion` and `kind`, times, sha256 digests (64 lower-case
 * hex digits), sizes and caps (non-negative safe integers), member paths (as zip member names,
 * never `manifest.json` itself, never twice), array lengths, and no `__proto__`, `constructor` or
 * `prototype` key anywhere. Unknown fields are ignored; the result is a fresh copy holding only
 * the documented fields.
 * @throws BundleError `manifest-invalid` whose `path` is `manifest.json#<JSON path>` of the
 *   offending field, e.g. `manifest.json#$.members[3].sha256`.
 */
export function validateManifest(v: unknown): BundleManifest {
  const root = object(v, "$");
  if (root["schemaVersion"] !== 1)
    throw invalid("$.schemaVersion", `must be 1, not ${JSON.stringify(root["schemaVersion"]) ?? "missing"}`);
  if (root["kind"] !== "koff-doctor-bundle")
    throw invalid("$.kind", `must be "koff-doctor-bundle", not ${JSON.stringify(root["kind"]) ?? "missing"}`);
  const tool = member(root, "tool", "$");
  const createdAt = string(root, "createdAt", "$");
  if (!ISO_UTC.test(createdAt) || !Number.isFinite(Date.parse(createdAt)))
    throw invalid(
      "$.createdAt",
      `must be an ISO 8601 UTC time, not ${JSON.stringify(createdAt.slice(0, 64))}`,
    );
  const mode = string(root, "mode", "$");
  if (mode !== "image" && mode !== "live")
    throw invalid("$.mode", `must be "image" or "live", not ${JSON.stringify(mode.slice(0, 64))}`);
  const redacted = Object.hasOwn(root, "redacted") ? root["redacted"] : undefined;
  if (typeof redacted !== "boolean")
    throw invalid(
      "$.redacted",
      `must be a boolean, not ${redacted === undefined ? "missing" : typeName(redacted)}`,
    );
  const capsIn = member(root, "caps", "$");
  const capNames = Object.keys(capsIn);
  if (capNames.length > 64) throw invalid("$.caps", `has ${capNames.length} caps, over 64`);
  const caps: Record<string, number> = {};
  for (const k of capNames) caps[k] = count(capsIn[k], `$.caps.${k}`);
  const notes = array(root, "notes", "$").map((n, i) => {
    if (typeof n !== "string") throw invalid(`$.notes[${i}]`, `must be a string, not ${typeName(n)}`);
    if (n.length > MAX_STRING_LENGTH)
      throw invalid(`$.notes[${i}]`, `is longer than ${MAX_STRING_LENGTH} characters`);
    return n;
  });
  const seen = new Set<string>();
  /** A member line's `path`, `size` and `sha256` (also those of its `defanged` object). */
  const entry = (m: Record<string, unknown>, at: string): ManifestMember => {
    const path = string(m, "path", at);
    try {
      validateMemberName(path);
    } catch (e) {
      throw invalid(`${at}.path`, `is not a safe member name: ${(e as Error).message}`);
    }
    if (path.endsWith("/") || path === MEMBER.manifest)
      throw invalid(`${at}.path`, `cannot list ${JSON.stringify(path)}`);
    // A path listed twice would be hashed twice on every check: a cheap way to burn time.
    if (seen.has(path.toLowerCase())) throw invalid(`${at}.path`, `lists ${path} a second time`);
    seen.add(path.toLowerCase());
    const size = count(Object.hasOwn(m, "size") ? m["size"] : undefined, `${at}.size`);
    const sha256 = string(m, "sha256", at);
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw invalid(`${at}.sha256`, "must be 64 lower-case hex digits");
    return { path, size, sha256 };
  };
  const members = array(root, "members", "$").map((x, i): ManifestMember => {
    const at = `$.members[${i}]`;
    const m = object(x, at);
    const stored = entry(m, at);
    if (!Object.hasOwn(m, "defanged")) return stored;
    const d = member(m, "defanged", at);
    const real = entry(d, `${at}.defanged`);
    if (d["scheme"] !== DEFANG_SCHEME)
      throw invalid(
        `${at}.defanged.scheme`,
        `must be "${DEFANG_SCHEME}", not ${JSON.stringify(d["scheme"]) ?? "missing"}`,
      );
    if (real.size !== stored.size)
      throw invalid(
        `${at}.defanged.size`,
        `must equal the stored size ${stored.size} (XOR keeps the length)`,
      );
    return { ...stored, defanged: { ...real, scheme: DEFANG_SCHEME } };
  });
  // Optional (redacted bundles): binaries carried as they are although they hold a redacted value.
  const unredacted = Object.hasOwn(root, "unredacted")
    ? array(root, "unredacted", "$").map((x, i) => {
        const at = `$.unredacted[${i}]`;
        const u = object(x, at);
        return { member: string(u, "member", at), reason: string(u, "reason", at) };
      })
    : undefined;
  return {
    ...(unredacted === undefined ? {} : { unredacted }),
    ...optionalRun(root),
    schemaVersion: 1,
    kind: "koff-doctor-bundle",
    tool: { name: string(tool, "name", "$.tool"), version: string(tool, "version", "$.tool") },
    createdAt,
    mode,
    source: string(root, "source", "$"),
    redacted,
    caps,
    notes,
    members,
  };
}

/** The optional `runId` and `host` of a manifest, validated. */
function optionalRun(root: Record<string, unknown>): Pick<BundleManifest, "runId" | "host"> {
  const out: Pick<BundleManifest, "runId" | "host"> = {};
  if (Object.hasOwn(root, "runId")) {
    const runId = string(root, "runId", "$");
    if (!UUID.test(runId)) throw invalid("$.runId", "must be a lower-case UUID");
    out.runId = runId;
  }
  if (Object.hasOwn(root, "host")) {
    const h = member(root, "host", "$");
    const idSource = string(h, "idSource", "$.host");
    if (!(HOST_ID_SOURCES as readonly string[]).includes(idSource))
      throw invalid("$.host.idSource", `must be one of ${HOST_ID_SOURCES.join(", ")}`);
    const host: ManifestHost = {
      id: string(h, "id", "$.host"),
      idSource: idSource as ManifestHost["idSource"],
    };
    for (const k of HOST_FIELDS) if (Object.hasOwn(h, k)) host[k] = string(h, k, "$.host");
    out.host = host;
  }
  return out;
}

/**
 * Compares the archive's member list with the manifest: every file member other than the
 * manifest must be listed with the same size, and every listed member must exist.
 * @throws BundleError `tampered` naming the member.
 */
export function checkMemberList(
  manifest: BundleManifest,
  members: ReadonlyMap<string, { size: number; isDirectory: boolean }>,
): void {
  const listed = new Map(manifest.members.map((m) => [m.path, m]));
  if (listed.size !== manifest.members.length) {
    // A path listed twice would be hashed twice on every check: a cheap way to burn time.
    const seen = new Set<string>();
    const dup = manifest.members.find((m) => (seen.has(m.path) ? true : (seen.add(m.path), false)));
    throw new BundleError(
      "manifest-invalid",
      `member ${dup?.path} is listed more than once in the manifest`,
      { path: dup?.path },
    );
  }
  for (const [name, m] of members) {
    if (m.isDirectory || name === MEMBER.manifest) continue;
    const l = listed.get(name);
    if (l === undefined)
      throw new BundleError("tampered", `member ${name} is not in the manifest: added after collection`, {
        path: name,
      });
    if (l.size !== m.size)
      throw new BundleError("tampered", `member ${name} has ${m.size} bytes, the manifest says ${l.size}`, {
        path: name,
        limit: l.size,
        actual: m.size,
      });
  }
  for (const l of manifest.members)
    if (!members.has(l.path))
      throw new BundleError(
        "tampered",
        `member ${l.path} is in the manifest but missing: removed after collection`,
        {
          path: l.path,
        },
      );
}
