/**
 * `collect`: runs `check` on a source snapshot (image, later live) through recording ports and
 * packs everything into a diagnostics bundle: the recorded file and registry answers (so
 * `check --bundle` replays them), `check.json`, `triage.json`, install inventory, Office facts,
 * Defender exclusions, MAPISVC.INF facts, log tails, event-log XML (live), system facts and the
 * manifest. With `redact`, every text member (and member name) goes through one {@link Redactor};
 * binaries are never edited: a PE holding a value is withheld and its facts carried instead
 * (`snapshot/pe-facts.json`), any other binary holding one travels as is and is named in the
 * manifest's `unredacted`.
 *
 * Source: docs/bundle.md ("Layout", "Redaction"). KOFF's log file names are not documented
 * publicly, so every `*.log` under the install folders and cache roots is inventoried.
 */
import { open } from "node:fs/promises";
import { READ_LIMITS } from "../limits.js";
import { checkMachine, windowsRootAnchors, type CheckReport } from "../app/check-machine.js";
import { createSignatureVerifier } from "../app/signature-verifier.js";
import { loadKnowledge, type ConnectorKnowledge } from "../knowledge/index.js";
import type { SignatureVerifier } from "../triage/index.js";
import { renderCheckJson } from "../report/check-json.js";
import { renderTriageJson } from "../report/triage-json.js";
import { joinWindowsPath, normalizeWindowsPath, windowsPathKey } from "../paths/windows-path.js";
import type { CarriedPeFacts, DirEntry, FileSystemPort } from "../ports/file-system.js";
import type { RegKey, RegistryPort } from "../ports/registry.js";
import { RegType } from "../ports/registry.js";
import type { EventRecord } from "../ports/system.js";
import { decodeRegString, regNameKey } from "../registry/index.js";
import type { Snapshot } from "../ports/snapshot.js";
import { toolInfo } from "../version.js";
import { findValue, valueAsString } from "../windows/index.js";
import { DEFAULT_COLLECT_LIMITS, type BundleCollectLimits } from "./limits.js";
import { serializeFileSystem } from "./fs-index.js";
import { MEMBER, memberForWindowsPath } from "./layout.js";
import { sha256Hex, type BundleManifest, type UnredactedMember } from "./manifest.js";
import {
  recordingSnapshot,
  type RecordedFileSystem,
  type RecordedPath,
  type RecordedRegistry,
} from "./recording.js";
import {
  Redactor,
  findSensitiveInText,
  type RedactionEntry,
  type SensitiveCategory,
  type SkippedValue,
} from "./redaction.js";
import { jsonRecord, peFactsOf, type PeFactsDoc } from "./pe-facts.js";
import { triageCarriedFile } from "./triage-bundle.js";
import { serializeRegistry } from "./registry-members.js";
import type { ZipInput } from "./zip-writer.js";

/** Options of {@link collectBundle}. */
export interface CollectOptions {
  /** Signature verification time of the embedded check (default now). */
  at?: Date;
  /** Extra trust anchors (PEM/DER files) for the embedded check. */
  trustFiles?: string[];
  /** Replace user names, e-mail addresses, host and domain names. */
  redact?: boolean;
  /** Host paths that name the source (the image folder): redacted as `path-N`. */
  sourcePaths?: string[];
  /** Collection caps. */
  limits?: Partial<BundleCollectLimits>;
  /** The bundle's creation time (default now). */
  createdAt?: Date;
}

/** What {@link collectBundle} made. */
export interface CollectedBundle {
  members: ZipInput[];
  manifest: BundleManifest;
  /** The check run on the source (unredacted). */
  report: CheckReport;
  /** With `redact`: the mapping, for the local `.redaction-map.json` only (never in the bundle). */
  redaction?: {
    entries: readonly RedactionEntry[];
    skipped: readonly SkippedValue[];
  };
}

/** File names whose content is text (values replaced); every other file is binary (never edited). */
const TEXT_FILE = /\.(inf|ini|txt|log|cfg|conf|config|xml|json|reg|csv|htm|html|md)$/i;
/** Installer logs in temp folders. */
const INSTALLER_LOG = /^(msi[0-9a-z]*|.*kerio.*|.*koff.*|.*outlook ?connector.*)\.log$/i;
const encoder = new TextEncoder();
const json = (v: unknown): Uint8Array =>
  encoder.encode(`${JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x), 2)}\n`);

/** Reads a string value, or undefined. */
async function stringValue(reg: RegistryPort, key: string, name: string): Promise<string | undefined> {
  const k = await reg.getKey(key);
  const v = k && valueAsString(findValue(k, name));
  return v === undefined || v === "" ? undefined : v;
}

/** System facts from the (recorded) registry: Windows version, computer and domain names. */
async function readSystemFacts(reg: RegistryPort): Promise<Record<string, string | undefined>> {
  const nt = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
  const facts: Record<string, string | undefined> = {
    productName: await stringValue(reg, nt, "ProductName"),
    displayVersion: await stringValue(reg, nt, "DisplayVersion"),
    currentBuild: await stringValue(reg, nt, "CurrentBuild"),
    editionId: await stringValue(reg, nt, "EditionID"),
    registeredOwner: await stringValue(reg, nt, "RegisteredOwner"),
  };
  const select = await reg.getKey("HKLM\\SYSTEM\\Select");
  const current = select?.values.find((v) => v.name.toLowerCase() === "current")?.value;
  const set =
    typeof current === "number" ? `ControlSet${String(current).padStart(3, "0")}` : "CurrentControlSet";
  const sys = `HKLM\\SYSTEM\\${set}`;
  facts["computerName"] = await stringValue(
    reg,
    `${sys}\\Control\\ComputerName\\ComputerName`,
    "ComputerName",
  );
  const tcpip = `${sys}\\Services\\Tcpip\\Parameters`;
  facts["hostname"] = await stringValue(reg, tcpip, "Hostname");
  facts["domain"] = (await stringValue(reg, tcpip, "Domain")) ?? (await stringValue(reg, tcpip, "NV Domain"));
  return facts;
}

/** Log files to carry: `*.log` under the install folders and cache roots, installer logs in temp folders. */
async function findLogs(fs: FileSystemPort, report: CheckReport, max: number): Promise<string[]> {
  const out = new Map<string, string>();
  const walk = async (
    dir: string,
    depth: number,
    budget: { left: number },
    pick: (e: DirEntry) => boolean,
  ) => {
    const entries = await fs.list(dir);
    if (!entries) return;
    for (const e of entries) {
      if (--budget.left < 0 || out.size >= max) return;
      const p = joinWindowsPath(dir, e.name);
      if (e.kind === "file" && pick(e)) out.set(windowsPathKey(p), p);
      else if (e.kind === "dir" && depth > 0) await walk(p, depth - 1, budget, pick);
    }
  };
  const isLog = (e: DirEntry) => /\.log$/i.test(e.name);
  const budget = { left: 20_000 };
  for (const f of report.facts.install.folders) await walk(f, 3, budget, isLog);
  for (const r of report.facts.cacheRoots) if (!r.onNetwork) await walk(r.path, 3, budget, isLog);
  const installer = (e: DirEntry) => INSTALLER_LOG.test(e.name);
  for (const u of report.facts.users)
    await walk(`C:\\Users\\${u}\\AppData\\Local\\Temp`, 0, budget, installer);
  await walk("C:\\Windows\\Temp", 0, budget, installer);
  return [...out.values()];
}

/** The last `tail` bytes of a file (a ranged read when the port knows the host path). */
async function readTail(
  fs: FileSystemPort,
  path: string,
  size: number,
  tail: number,
): Promise<Uint8Array | undefined> {
  const host = await fs.hostPath?.(path);
  if (host !== undefined) {
    const fh = await open(host, "r").catch(() => undefined);
    if (fh === undefined) return undefined;
    try {
      const n = Math.min(size, tail);
      const buf = new Uint8Array(n);
      const { bytesRead } = await fh.read(buf, 0, n, Math.max(0, size - n));
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }
  const whole = await fs.readFile(path, Math.max(tail, READ_LIMITS.logFileBytes));
  return whole?.subarray(Math.max(0, whole.length - tail));
}

const xmlEscape = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
  );

/** Sensitive values of a source: users, computer/domain names, addresses and hosts in text. */
function discoverSensitive(
  users: readonly string[],
  system: Record<string, string | undefined>,
  regRec: RecordedRegistry,
  fsRec: RecordedFileSystem,
  texts: readonly Uint8Array[],
  sourcePaths: readonly string[],
): Array<{ category: SensitiveCategory; value: string }> {
  const out: Array<{ category: SensitiveCategory; value: string }> = [];
  for (const u of users) out.push({ category: "user", value: u });
  for (const u of regRec.users ?? []) out.push({ category: "user", value: u.user });
  if (system["registeredOwner"]) out.push({ category: "user", value: system["registeredOwner"] });
  for (const h of [system["computerName"], system["hostname"]])
    if (h) out.push({ category: "host", value: h });
  if (system["domain"]) out.push({ category: "domain", value: system["domain"] });
  for (const p of sourcePaths) out.push({ category: "path", value: p });
  const utf16 = new TextDecoder("utf-16le");
  const utf8 = new TextDecoder("utf-8");
  const scan = (text: string) => {
    for (const f of findSensitiveInText(text)) {
      out.push(f);
      if (f.category === "email")
        out.push({ category: "domain", value: f.value.slice(f.value.lastIndexOf("@") + 1) });
    }
  };
  for (const key of regRec.keys.values()) {
    if (/\\SystemCertificates\\/i.test(key.path)) continue;
    // Key and value names carry data too (a profile named after an address, a server host).
    scan([key.path, ...key.subkeys, ...key.values.map((v) => v.name)].join("\n"));
    if (/\\Office\\[^\\]+\\Common\\UserInfo$|\\Office\\Common\\UserInfo$/i.test(key.path)) {
      const name = valueAsString(findValue(key, "UserName"));
      if (name) out.push({ category: "user", value: name });
    }
    for (const v of key.values) {
      if (v.type === RegType.REG_SZ || v.type === RegType.REG_EXPAND_SZ || v.type === RegType.REG_MULTI_SZ)
        scan(decodeRegString(v.data).replace(/\0/g, "\n"));
      else if (v.type === RegType.REG_BINARY || v.type > RegType.REG_QWORD) {
        // MAPI profile properties: strings stored as binary, ANSI or UTF-16LE. Addresses only.
        for (const t of [utf16.decode(v.data), utf8.decode(v.data)])
          for (const m of t.matchAll(/[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+/g)) {
            out.push({ category: "email", value: m[0] });
            out.push({ category: "domain", value: m[0].slice(m[0].lastIndexOf("@") + 1) });
          }
      }
    }
  }
  const carried = [...fsRec.values()]
    .filter((r) => r.content && TEXT_FILE.test(r.path))
    .map((r) => r.content!);
  for (const t of [...texts, ...carried]) {
    const even = t.length >= 2 && ((t[0] === 0xff && t[1] === 0xfe) || (t.length > 1 && t[1] === 0));
    scan(even ? utf16.decode(t) : utf8.decode(t));
  }
  return out;
}

/** True when `bytes` start like a PE image (`MZ`); such files are withheld, not carried, when they hold a value. */
const looksLikePe = (bytes: Uint8Array) => bytes.length >= 64 && bytes[0] === 0x4d && bytes[1] === 0x5a;

/**
 * A redacted copy of the file-system recording. Paths and listing names are redacted; text
 * files get their values replaced; binary content is never edited: a PE file holding a value is
 * withheld (its path goes to `withheld`, the caller carries its facts instead), any other binary
 * holding one travels as is and is named in `unredacted` (by its original path; the caller maps
 * it to the member).
 */
function redactFileSystem(
  rec: RecordedFileSystem,
  r: Redactor,
): {
  fs: RecordedFileSystem;
  withheld: Map<string, { real: string; bytes: Uint8Array }>;
  unredacted: Map<string, string>;
} {
  const out: RecordedFileSystem = new Map();
  const withheld = new Map<string, { real: string; bytes: Uint8Array }>();
  const unredacted = new Map<string, string>();
  for (const e of rec.values()) {
    const path = r.redactText(e.path);
    const copy: RecordedPath = { ...e, path };
    if (e.list) copy.list = e.list.map((d) => ({ ...d, name: r.redactText(d.name) }));
    if (e.content) {
      if (TEXT_FILE.test(e.path)) {
        copy.content = r.redactBytes(e.content);
        if (copy.content.length !== e.content.length && copy.stat)
          copy.stat = { ...copy.stat, size: copy.content.length };
      } else if (r.containsBytes(e.content)) {
        if (looksLikePe(e.content)) {
          delete copy.content;
          copy.withheld = { size: e.content.length };
          withheld.set(path, { real: e.path, bytes: e.content });
        } else unredacted.set(path, "binary file holding a redacted value (binaries are never edited)");
      }
    }
    if (e.head && !e.content && r.containsBytes(e.head))
      unredacted.set(path, "binary file head holding a redacted value (binaries are never edited)");
    out.set(windowsPathKey(path), copy);
  }
  // Listing sizes follow the content of text files that redaction resized.
  for (const e of out.values()) {
    if (!e.list) continue;
    e.list = e.list.map((d) => {
      const child = out.get(windowsPathKey(joinWindowsPath(e.path, d.name)));
      return child?.content && d.kind === "file" && child.content.length !== d.size
        ? { ...d, size: child.content.length }
        : d;
    });
  }
  return { fs: out, withheld, unredacted };
}

/**
 * A redacted copy of the registry recording: key paths, names, string data, and the string
 * forms inside binary data (MAPI profile properties). Certificate blobs (`SystemCertificates`)
 * are binary and never edited: one holding a value travels as is and is returned in `unredacted`.
 */
function redactRegistry(
  rec: RecordedRegistry,
  r: Redactor,
): { registry: RecordedRegistry; unredacted: string[] } {
  const keys = new Map<string, RegKey>();
  const unredacted: string[] = [];
  for (const k of rec.keys.values()) {
    const isCert = /\\SystemCertificates\\/i.test(k.path);
    const path = r.redactText(k.path);
    keys.set(regNameKey(path), {
      ...k,
      path,
      name: r.redactText(k.name),
      subkeys: k.subkeys.map((s) => r.redactText(s)),
      values: k.values.map((v) => {
        if (isCert && r.containsBytes(v.data)) unredacted.push(`${path}\\${v.name}`);
        return { ...v, name: r.redactText(v.name), data: isCert ? v.data : r.redactBytes(v.data) };
      }),
    });
  }
  return {
    registry: {
      keys,
      ...(rec.users
        ? { users: rec.users.map((u) => ({ user: r.redactText(u.user), root: r.redactText(u.root) })) }
        : {}),
    },
    unredacted,
  };
}

/**
 * Collects a bundle from `source`. Reads only; writes nothing (see {@link writeBundle}).
 * Port failures of the source propagate.
 */
export async function collectBundle(
  source: Snapshot,
  options: CollectOptions = {},
): Promise<CollectedBundle> {
  const limits: BundleCollectLimits = { ...DEFAULT_COLLECT_LIMITS, ...options.limits };
  const createdAt = options.createdAt ?? new Date();
  const { snapshot, recording } = recordingSnapshot(source);
  const system = await readSystemFacts(snapshot.registry);
  const report = await checkMachine(snapshot, { at: options.at, trustFiles: options.trustFiles });
  const facts = report.facts;
  const notes: string[] = [];

  // Logs (read through the source, not recorded: tails are not whole files).
  const logPaths = await findLogs(source.fs, report, limits.maxLogs);
  const logs: Array<{ path: string; size: number; tailBytes: number; data: Uint8Array }> = [];
  let logBytes = 0;
  for (const p of logPaths) {
    const st = await source.fs.stat(p);
    if (st?.kind !== "file") continue;
    if (logBytes >= limits.maxLogBytesTotal) {
      notes.push(`log not carried (total log cap ${limits.maxLogBytesTotal} bytes reached): ${p}`);
      continue;
    }
    const data = await readTail(
      source.fs,
      p,
      st.size,
      Math.min(limits.logTailBytes, limits.maxLogBytesTotal - logBytes),
    );
    if (data === undefined) continue;
    logBytes += data.length;
    logs.push({ path: normalizeWindowsPath(p), size: st.size, tailBytes: data.length, data });
  }

  // Event logs (live mode only: a snapshot with an event-log port).
  const events: Array<{ log: string; records: EventRecord[] }> = [];
  if (source.eventLog) {
    for (const log of ["Application", "System"]) {
      // A log that cannot be read (wevtutil refused) is left out with a note, not a failed collect.
      const records = await source.eventLog.query(log, limits.maxEvents).catch((e: Error) => {
        notes.push(`events/${log}.xml omitted: ${e.message}`);
        return [];
      });
      events.push({ log, records });
    }
  }

  // Redaction.
  let redactor: Redactor | undefined;
  let fsRec = recording.fs;
  let regRec = recording.registry;
  let withheld = new Map<string, { real: string; bytes: Uint8Array }>();
  const unredactedFiles = new Map<string, string>();
  const unredactedValues: string[] = [];
  if (options.redact) {
    redactor = new Redactor(
      discoverSensitive(
        facts.users,
        system,
        recording.registry,
        recording.fs,
        logs.map((l) => l.data),
        options.sourcePaths ?? [],
      ),
    );
    if (redactor.skipped.length > 0)
      notes.push(
        `redaction kept ${redactor.skipped.length} value(s) found on the source: one-letter values, ` +
          `public domains, and words of paths check reads (the local redaction map lists them)`,
      );
    const rfs = redactFileSystem(recording.fs, redactor);
    fsRec = rfs.fs;
    withheld = rfs.withheld;
    for (const [p, why] of rfs.unredacted) unredactedFiles.set(p, why);
    const rreg = redactRegistry(recording.registry, redactor);
    regRec = rreg.registry;
    unredactedValues.push(...rreg.unredacted);
  }
  const r = redactor;
  const text = (b: Uint8Array) => (r ? r.redactBytes(b) : b);
  const str = (s: string) => (r ? r.redactText(s) : s);
  /** A JSON member: every string redacted before serializing (so escapes cannot hide a value). */
  const jsonMember = (v: unknown) => json(r ? r.redactJson(v) : v);
  /** A rendered JSON document, parsed and redacted string by string. */
  const rendered = (doc: string) =>
    r ? json(r.redactJson(JSON.parse(doc) as unknown)) : encoder.encode(doc);

  const members = new Map<string, Uint8Array>();
  const fsPart = serializeFileSystem(fsRec, limits.maxFileBytes);
  for (const e of fsPart.index.entries) {
    if (e.content && "omitted" in e.content) notes.push(`not carried (${e.content.omitted}): ${e.path}`);
    if (e.content && "withheld" in e.content)
      notes.push(`withheld (facts in ${MEMBER.peFacts}): ${e.path}: the PE file holds a redacted value`);
  }
  for (const [k, v] of fsPart.members) members.set(k, v);
  members.set(MEMBER.fsIndex, json(fsPart.index));
  if (r && withheld.size > 0)
    members.set(MEMBER.peFacts, json(await withheldPeFacts(source, report, withheld, r, options)));
  const regPart = serializeRegistry(regRec);
  for (const [k, v] of regPart.members) members.set(k, v);
  members.set(MEMBER.registryIndex, json(regPart.index));

  members.set(MEMBER.check, rendered(renderCheckJson(report)));
  members.set(MEMBER.triage, rendered(renderTriageJson(facts.triage, report.policy)));
  members.set(
    MEMBER.system,
    jsonMember({
      tool: toolInfo(),
      mode: source.mode,
      source: source.describe(),
      collectedAt: createdAt.toISOString(),
      windows: {
        productName: system["productName"],
        displayVersion: system["displayVersion"],
        currentBuild: system["currentBuild"],
        editionId: system["editionId"],
      },
      computerName: system["computerName"] ?? system["hostname"],
      domain: system["domain"],
      users: facts.users,
      freeDiskBytes: recording.freeDiskBytes ?? facts.freeDiskBytes,
      unknown: facts.unknown,
      collector: { platform: process.platform, node: process.version },
    }),
  );
  members.set(MEMBER.office, jsonMember({ ...facts.office, title: 'What "File > Office Account" shows' }));
  const versions = new Map(facts.triage.map((t) => [windowsPathKey(t.windowsPath ?? t.path), t]));
  // Index entries by path key once (first of each key), instead of a scan per listed file.
  const entryByKey = new Map<string, (typeof fsPart.index.entries)[number]>();
  for (const e of fsPart.index.entries) {
    const k = windowsPathKey(e.path);
    if (!entryByKey.has(k)) entryByKey.set(k, e);
  }
  const withVersion = (f: { path: string }) => {
    const t = versions.get(windowsPathKey(f.path));
    return {
      ...f,
      verdict: t?.verdict,
      signature: t?.signature?.state,
      signer: t?.signature?.signer,
      versionInfo: t?.pe?.versionInfo,
      member: entryByKey.get(windowsPathKey(str(f.path)))?.content,
    };
  };
  members.set(
    MEMBER.inventory,
    jsonMember({
      uninstallEntries: facts.install.uninstallEntries,
      folders: facts.install.folders,
      binaries: facts.install.binaries.map(withVersion),
      providerDlls: facts.install.providerDlls.map(withVersion),
      strays: facts.strays.map(withVersion),
      updater: facts.updater,
    }),
  );
  members.set(MEMBER.defender, jsonMember(facts.defender));
  members.set(
    MEMBER.mapisvc,
    jsonMember({
      files: facts.mapisvc.files.map((f) => ({
        path: f,
        member: entryByKey.get(windowsPathKey(str(f)))?.content,
      })),
      registrations: facts.mapisvc.registrations,
      profiles: facts.profiles,
      defaultProfiles: facts.defaultProfiles,
    }),
  );
  const logIndex = logs.map((l) => {
    const member = memberForWindowsPath("logs", str(l.path));
    members.set(member, text(l.data));
    return { path: l.path, size: l.size, tailBytes: l.tailBytes, truncated: l.tailBytes < l.size, member };
  });
  members.set(MEMBER.logs, jsonMember({ tailCapBytes: limits.logTailBytes, logs: logIndex }));
  // Event data is redacted before it is XML-escaped: `O'Brien` would otherwise hide as `O&apos;Brien`.
  const x = (v: string) => xmlEscape(str(v));
  for (const { log, records } of events) {
    const body = records
      .map(
        (e) =>
          `  <Event><System><Provider Name="${x(e.provider)}"/><EventID>${e.id}</EventID>` +
          `<Level>${e.level ?? ""}</Level><TimeCreated SystemTime="${x(e.time)}"/>` +
          `<Channel>${x(e.log)}</Channel></System><EventData>` +
          e.data.map((d) => `<Data>${x(d)}</Data>`).join("") +
          `</EventData></Event>`,
      )
      .join("\n");
    const xml = `<?xml version="1.0" encoding="utf-8"?>\n<Events>\n${body}\n</Events>\n`;
    members.set(`events/${log}.xml`, text(encoder.encode(xml)));
  }

  // Binary members are never edited; the ones that still hold a value are named as unredacted.
  const unredacted: UnredactedMember[] = [];
  if (r) {
    const contentOf = new Map<string, string>();
    for (const e of fsPart.index.entries) {
      if (e.content && "member" in e.content) contentOf.set(e.content.member, e.path);
      if (e.head) contentOf.set(e.head.member, e.path);
    }
    for (const [name, data] of members) {
      const path = contentOf.get(name);
      const binary = path !== undefined && !(name.startsWith("files/") && TEXT_FILE.test(path));
      if (binary) {
        const why = unredactedFiles.get(path);
        if (why !== undefined) unredacted.push({ member: name, reason: why });
        continue;
      }
      // Text members were redacted when built; a hit here is a value in a certificate blob.
      const certs = name.startsWith("registry/") ? unredactedValues : [];
      if (certs.length > 0 && r.containsBytes(data))
        unredacted.push({
          member: name,
          reason: `certificate data holding a redacted value (binaries are never edited): ${certs.join(", ")}`,
        });
    }
  }

  const list = [...members.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const manifest: BundleManifest = {
    schemaVersion: 1,
    kind: "koff-doctor-bundle",
    tool: toolInfo(),
    createdAt: createdAt.toISOString(),
    mode: source.mode,
    source: str(source.describe()),
    redacted: options.redact === true,
    ...(r ? { unredacted } : {}),
    caps: { ...limits },
    notes: notes.map(str),
    members: list.map(([path, data]) => ({ path, size: data.length, sha256: sha256Hex(data) })),
  };
  const manifestBytes = jsonMember(manifest);
  return {
    members: [
      ...list.map(([name, data]) => ({ name, data })),
      { name: MEMBER.manifest, data: manifestBytes },
    ],
    manifest,
    report,
    ...(r ? { redaction: { entries: r.entries, skipped: r.skipped } } : {}),
  };
}

/**
 * The facts a redacted bundle carries for each withheld PE file (by redacted path: its real path and bytes):
 * hashes, imports, and the triage record `check` made of it, or, for a PE `check` did not
 * triage (a sibling EXE), one made now the way `triage --bundle` would, with the EXEs next to it
 * as possible loaders. Records are redacted as text.
 */
async function withheldPeFacts(
  source: Snapshot,
  report: CheckReport,
  withheld: ReadonlyMap<string, { real: string; bytes: Uint8Array }>,
  r: Redactor,
  options: CollectOptions,
): Promise<PeFactsDoc> {
  const byPath = new Map(
    report.facts.triage.map((t) => [windowsPathKey(r.redactText(t.windowsPath ?? t.path)), t]),
  );
  let triageOptions: { knowledge: ConnectorKnowledge; verifySignature: SignatureVerifier } | undefined;
  const files: CarriedPeFacts[] = [];
  for (const [path, { real, bytes }] of [...withheld].sort(([a], [b]) => (a < b ? -1 : 1))) {
    let record = byPath.get(windowsPathKey(path));
    if (record === undefined) {
      if (triageOptions === undefined) {
        const k = loadKnowledge();
        const verifier = await createSignatureVerifier({
          trustFiles: options.trustFiles ?? [],
          at: options.at,
          extraAnchors: await windowsRootAnchors(source),
        });
        triageOptions = {
          knowledge: {
            ...k,
            installFolders: [...new Set([...k.installFolders, ...report.facts.install.folders])],
          },
          verifySignature: verifier.verify,
        };
      }
      record = await triageCarriedFile(source.fs, real, bytes, triageOptions);
    }
    files.push({ path, ...peFactsOf(bytes), triage: r.redactJson(jsonRecord(record)) });
  }
  return { version: 1, files };
}
