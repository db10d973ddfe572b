/**
 * Redaction of the recorded answers before they are serialized: paths, names, registry data
 * and text files get their values replaced; binaries are never edited. A PE file holding a
 * value is withheld (its facts travel in `snapshot/pe-facts.json` instead), any other binary
 * holding one travels as is and is named in the manifest's `unredacted`.
 *
 * Source: docs/bundle.md ("Redaction", "Binaries are never edited").
 */
import { joinWindowsPath, windowsPathKey } from "../../paths/windows-path.js";
import type { RegKey } from "../../ports/registry.js";
import { regNameKey } from "../../registry/index.js";
import type { RecordedFileSystem, RecordedPath, RecordedRegistry, SnapshotRecording } from "../recording.js";
import { Redactor } from "../redaction.js";
import { TEXT_FILE } from "./bundle-members.js";
import { discoverSensitive, type SensitiveSources } from "./sensitive-values.js";

/** A PE file whose bytes redaction withheld: its real (unredacted) path and its bytes. */
export interface WithheldFile {
  real: string;
  bytes: Uint8Array;
}

/** The recording as it goes into the bundle, and what redaction could not replace. */
export interface RedactedRecording {
  /** The bundle's redactor; `undefined` when not redacting (everything else is then the recording as is). */
  redactor: Redactor | undefined;
  fs: RecordedFileSystem;
  registry: RecordedRegistry;
  /** Withheld PE files, by redacted Windows path. */
  withheld: Map<string, WithheldFile>;
  /** Binary files carried holding a value: redacted Windows path → reason. */
  unredactedFiles: Map<string, string>;
  /** Certificate values carried holding a value: `<redacted key path>\<value name>`. */
  unredactedValues: string[];
}

/** True when `bytes` start like a PE image (`MZ`); such files are withheld, not carried, when they hold a value. */
const looksLikePe = (bytes: Uint8Array) => bytes.length >= 64 && bytes[0] === 0x4d && bytes[1] === 0x5a;

/**
 * A redacted copy of the file-system recording. Paths and listing names are redacted; text
 * files get their values replaced (and their recorded and listed sizes follow); binary content
 * is never edited: a PE file holding a value is withheld, any other binary holding one is named
 * in `unredacted` (by its redacted path).
 */
function redactFileSystem(
  rec: RecordedFileSystem,
  r: Redactor,
): Pick<RedactedRecording, "fs" | "withheld"> & { unredacted: Map<string, string> } {
  const out: RecordedFileSystem = new Map();
  const withheld = new Map<string, WithheldFile>();
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
      // Mounts name users; messages and summaries may quote key paths and file names.
      ...(rec.health
        ? {
            health: rec.health.map((h) => ({
              ...h,
              mount: r.redactText(h.mount),
              file: r.redactText(h.file),
              anomalies: h.anomalies.map((a) => ({ ...a, message: r.redactText(a.message) })),
              ...(h.recovery
                ? { recovery: { ...h.recovery, summary: r.redactText(h.recovery.summary), logs: [] } }
                : {}),
            })),
          }
        : {}),
    },
    unredacted,
  };
}

/**
 * The recording as it goes into the bundle. Without `redact`, the recording as is and no
 * redactor. With it, a {@link Redactor} over the values {@link discoverSensitive} finds in
 * `sources` (the recording and the log tails), and redacted copies of both recordings; a note
 * says how many found values redaction kept (the local redaction map lists them). Reads no port.
 */
export function redactRecording(
  recording: SnapshotRecording,
  redact: boolean,
  sources: Omit<SensitiveSources, "registry" | "fs">,
  notes: string[],
): RedactedRecording {
  if (!redact)
    return {
      redactor: undefined,
      fs: recording.fs,
      registry: recording.registry,
      withheld: new Map(),
      unredactedFiles: new Map(),
      unredactedValues: [],
    };
  const redactor = new Redactor(
    discoverSensitive({ ...sources, registry: recording.registry, fs: recording.fs }),
  );
  if (redactor.skipped.length > 0)
    notes.push(
      `redaction kept ${redactor.skipped.length} value(s) found on the source: one-letter values, ` +
        `public domains, and words of paths check reads (the local redaction map lists them)`,
    );
  const files = redactFileSystem(recording.fs, redactor);
  const values = redactRegistry(recording.registry, redactor);
  return {
    redactor,
    fs: files.fs,
    registry: values.registry,
    withheld: files.withheld,
    unredactedFiles: files.unredacted,
    unredactedValues: values.unredacted,
  };
}
