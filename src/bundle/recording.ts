/**
 * Recording proxies: a {@link FileSystemPort} and a {@link RegistryPort} that pass every call to
 * the source snapshot's port and keep every answer. `collect` runs `check` through them, so the
 * bundle carries exactly what `check` read; replaying those answers (bundle mode) then gives
 * `check --bundle` the same facts as `check --image` by construction.
 *
 * Source: docs/bundle.md ("How it works: record, then replay"); src/ports/file-system.ts,
 * src/ports/registry.ts (the contracts recorded).
 */
import { normalizeWindowsPath, windowsPathKey } from "../paths/windows-path.js";
import type { DirEntry, FileStat, FileSystemPort } from "../ports/file-system.js";
import type { HiveHealth, RegKey, RegistryPort } from "../ports/registry.js";
import { regNameKey } from "../registry/index.js";
import type { Snapshot } from "../ports/snapshot.js";

/** What the file system answered about one path. Absent fields were never asked. */
export interface RecordedPath {
  /** Windows path, normalized, in the case first asked. */
  path: string;
  /** `null`: the path did not exist. */
  stat?: FileStat | null;
  /** `null`: not a directory. */
  list?: DirEntry[] | null;
  /** The whole file, as `readFile` returned it. */
  content?: Uint8Array;
  /** The longest `readHead` answer. */
  head?: Uint8Array;
  /**
   * Set by redaction instead of `content`: a PE file whose bytes hold a redacted value is not
   * carried; its facts are (`snapshot/pe-facts.json`). `size` in bytes.
   */
  withheld?: { size: number };
}

/** Every file-system answer, by {@link windowsPathKey}. */
export type RecordedFileSystem = Map<string, RecordedPath>;

/** Every registry answer: keys by upper-cased path, the `users()` answer, and the last `health()` answer. */
export interface RecordedRegistry {
  keys: Map<string, RegKey>;
  users?: Array<{ user: string; root: string }>;
  /** The hives the source opened, with their damage and dirty state (`check` asks once, at its end). */
  health?: HiveHealth[];
}

function entryOf(rec: RecordedFileSystem, path: string): RecordedPath {
  const key = windowsPathKey(path);
  let e = rec.get(key);
  if (e === undefined) {
    e = { path: normalizeWindowsPath(path) };
    rec.set(key, e);
  }
  return e;
}

/** A file-system port that records every answer of `inner` into `rec`. */
export function recordingFileSystem(inner: FileSystemPort, rec: RecordedFileSystem): FileSystemPort {
  return {
    async stat(path) {
      const r = await inner.stat(path);
      entryOf(rec, path).stat = r ?? null;
      return r;
    },
    async list(path) {
      const r = await inner.list(path);
      entryOf(rec, path).list = r ?? null;
      return r;
    },
    async readFile(path, maxBytes) {
      const r = await inner.readFile(path, maxBytes);
      if (r !== undefined) {
        const e = entryOf(rec, path);
        if (e.content === undefined || e.content.length < r.length) e.content = r;
      }
      return r;
    },
    async readHead(path, length) {
      const r = await inner.readHead(path, length);
      if (r !== undefined) {
        const e = entryOf(rec, path);
        if (e.head === undefined || e.head.length < r.length) e.head = r;
      }
      return r;
    },
    hostPath: inner.hostPath?.bind(inner),
    describe: () => inner.describe(),
  };
}

/** A registry port that records every answer of `inner` into `rec`. */
export function recordingRegistry(inner: RegistryPort, rec: RecordedRegistry): RegistryPort {
  return {
    async getKey(path) {
      const r = await inner.getKey(path);
      if (r !== undefined) rec.keys.set(regNameKey(r.path), r);
      return r;
    },
    async users() {
      const r = await inner.users();
      rec.users = r.map((u) => ({ ...u }));
      return r;
    },
    describe: () => inner.describe(),
    async health() {
      const r = await inner.health();
      rec.health = [...r];
      return r;
    },
  };
}

/** What a recording snapshot kept. */
export interface SnapshotRecording {
  fs: RecordedFileSystem;
  registry: RecordedRegistry;
  /** `disk.freeBytes("C:\\")` when the source knew it. */
  freeDiskBytes?: number;
}

/** `source` with its file system and registry wrapped in recorders; processes etc. pass through. */
export function recordingSnapshot(source: Snapshot): { snapshot: Snapshot; recording: SnapshotRecording } {
  const recording: SnapshotRecording = { fs: new Map(), registry: { keys: new Map() } };
  const snapshot: Snapshot = {
    ...source,
    fs: recordingFileSystem(source.fs, recording.fs),
    registry: recordingRegistry(source.registry, recording.registry),
    disk: source.disk && {
      async freeBytes(p) {
        const r = await source.disk!.freeBytes(p);
        if (r !== undefined) recording.freeDiskBytes = r;
        return r;
      },
    },
  };
  return { snapshot, recording };
}
