/**
 * Opening a diagnostics bundle (`--bundle FILE.zip`) and replaying it as a {@link Snapshot}
 * (mode `"bundle"`). Nothing is extracted: members are inflated into memory on demand.
 *
 * {@link openBundle} validates the archive ({@link openZipArchive}: paths, links, caps, ratio),
 * then `manifest.json`, then checks every member against the manifest's size and sha256 before
 * anything else reads it, and again on every later read (a file changed while open is caught).
 *
 * Source: docs/bundle.md ("Reading is safe", "The manifest is validated whole").
 */
import { parseWevtutilXml } from "../adapters/live/wevtutil.js";
import type { EventLogPort } from "../ports/system.js";
import { DEFAULT_READ_LIMITS, type BundleReadLimits } from "./limits.js";
import { BundleError } from "./errors.js";
import { BundleFileSystem, validateFsIndex } from "./fs-index.js";
import { MEMBER } from "./layout.js";
import { checkMemberList, sha256Hex, validateManifest, type BundleManifest } from "./manifest.js";
import { createBundleRegistryPort, validateRegistryIndex } from "./registry-members.js";
import { openZipArchive, type ZipArchive } from "./zip-reader.js";
import type { Snapshot } from "../snapshot/snapshot.js";

/** Members kept in memory after their first read, in bytes; larger sets are re-read (and re-verified). */
const CACHE_BUDGET_BYTES = 128 * 1024 * 1024;

/** An opened, verified bundle. */
export interface Bundle {
  readonly file: string;
  readonly manifest: BundleManifest;
  /** Member names (files only). */
  readonly memberNames: readonly string[];
  /**
   * A member's bytes, verified against the manifest.
   * @throws BundleError `tampered`, `member-invalid`, or a zip error.
   */
  read(member: string): Promise<Uint8Array>;
  /** A JSON member, parsed (at most the JSON cap). */
  readJson(member: string): Promise<unknown>;
  close(): void;
}

/**
 * Opens `file`, validates it and verifies every member against `manifest.json` (validated whole
 * first, see {@link validateManifest}).
 * @throws InputFileError when `file` is not a regular file within {@link READ_LIMITS}.bundleFileBytes
 *   (a FIFO, device, folder or symlink loop is never opened).
 * @throws BundleError (see {@link BundleErrorCode}); never extracts anything.
 */
export async function openBundle(file: string, limits: Partial<BundleReadLimits> = {}): Promise<Bundle> {
  const caps = { ...DEFAULT_READ_LIMITS, ...limits };
  const archive: ZipArchive = await openZipArchive(file, caps);
  try {
    const mm = archive.members.get(MEMBER.manifest);
    if (mm === undefined || mm.isDirectory)
      throw new BundleError("manifest-invalid", `no ${MEMBER.manifest}: not a koff-doctor bundle`, {
        path: MEMBER.manifest,
      });
    if (mm.size > caps.maxJsonBytes)
      throw new BundleError("entry-too-large", `${MEMBER.manifest} is over ${caps.maxJsonBytes} bytes`, {
        path: MEMBER.manifest,
        limit: caps.maxJsonBytes,
        actual: mm.size,
      });
    let parsed: unknown;
    try {
      parsed = JSON.parse(
        new TextDecoder("utf-8", { fatal: true }).decode(await archive.read(MEMBER.manifest)),
      );
    } catch (e) {
      if (e instanceof BundleError) throw e;
      throw new BundleError("manifest-invalid", `${MEMBER.manifest} is not JSON: ${(e as Error).message}`, {
        path: MEMBER.manifest,
        cause: e,
      });
    }
    const manifest = validateManifest(parsed);
    checkMemberList(manifest, archive.members);
    const expected = new Map(manifest.members.map((m) => [m.path, m]));
    const cache = new Map<string, Uint8Array>();
    let cached = 0;
    const read = async (member: string): Promise<Uint8Array> => {
      const hit = cache.get(member);
      if (hit) return hit;
      const want = expected.get(member);
      if (want === undefined)
        throw new BundleError("member-invalid", `no member ${member} in the bundle`, { path: member });
      const bytes = await archive.read(member);
      const got = sha256Hex(bytes);
      if (got !== want.sha256)
        throw new BundleError(
          "tampered",
          `member ${member} was changed after collection: sha256 ${got}, the manifest says ${want.sha256}`,
          { path: member },
        );
      if (cached + bytes.length <= CACHE_BUDGET_BYTES) {
        cache.set(member, bytes);
        cached += bytes.length;
      }
      return bytes;
    };
    // Verify everything up front: a tampered bundle is refused before any result is shown.
    for (const m of manifest.members) await read(m.path);
    return {
      file,
      manifest,
      memberNames: manifest.members.map((m) => m.path),
      read,
      async readJson(member) {
        const bytes = await read(member);
        if (bytes.length > caps.maxJsonBytes)
          throw new BundleError("entry-too-large", `${member} is over ${caps.maxJsonBytes} bytes`, {
            path: member,
          });
        try {
          return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
        } catch (e) {
          throw new BundleError("member-invalid", `${member} is not JSON: ${(e as Error).message}`, {
            path: member,
            cause: e,
          });
        }
      },
      close: () => archive.close(),
    };
  } catch (e) {
    archive.close();
    throw e;
  }
}

/** The bundle-mode snapshot of an opened bundle, with its replaying file system. */
export interface BundleSnapshot extends Snapshot {
  fs: BundleFileSystem;
}

/**
 * The snapshot `check --bundle` reads: files and registry replayed from the bundle; event-log
 * extracts replayed when the bundle was collected live; processes and network unknown; free disk
 * space when the collector knew it.
 * @throws BundleError `member-invalid` when the snapshot index or registry exports are missing or malformed.
 */
export async function createBundleSnapshot(bundle: Bundle): Promise<BundleSnapshot> {
  const describe = `bundle ${bundle.file}`;
  for (const m of [MEMBER.fsIndex, MEMBER.registryIndex])
    if (!bundle.memberNames.includes(m))
      throw new BundleError("member-invalid", `the bundle has no ${m}`, { path: m });
  const fs = new BundleFileSystem(
    validateFsIndex(await bundle.readJson(MEMBER.fsIndex), MEMBER.fsIndex),
    bundle.read,
    describe,
  );
  const registry = await createBundleRegistryPort(
    validateRegistryIndex(await bundle.readJson(MEMBER.registryIndex), MEMBER.registryIndex),
    bundle.read,
    describe,
  );
  let freeBytes: number | undefined;
  if (bundle.memberNames.includes(MEMBER.system)) {
    const sys = (await bundle.readJson(MEMBER.system)) as { freeDiskBytes?: unknown };
    if (Number.isSafeInteger(sys?.freeDiskBytes) && (sys.freeDiskBytes as number) >= 0)
      freeBytes = sys.freeDiskBytes as number;
  }
  const unknown: Record<string, string> = {
    processes: "bundle mode: a bundle does not carry running processes",
    network: "bundle mode: a bundle does not carry network connections",
  };
  // Event-log extracts exist only in bundles collected live; they replay through the same parser
  // as wevtutil's output.
  const eventMembers = new Set(bundle.memberNames.filter((n) => /^events\/[^/]+\.xml$/.test(n)));
  const eventLog: EventLogPort | undefined =
    eventMembers.size === 0
      ? undefined
      : {
          query: async (log, max) => {
            const member = `events/${log}.xml`;
            if (!eventMembers.has(member)) return [];
            return parseWevtutilXml(new TextDecoder().decode(await bundle.read(member)), log).slice(0, max);
          },
        };
  if (!eventLog)
    unknown["events"] =
      "bundle mode: the bundle was collected from an image, which has no event-log extracts";
  if (freeBytes === undefined)
    unknown["freeDiskBytes"] = "bundle mode: the collector did not know the free disk space";
  const omitted = fs.omitted();
  if (omitted.length > 0)
    unknown["omittedFiles"] =
      `bundle mode: ${omitted.length} file(s) were too large to carry: ` +
      omitted
        .slice(0, 5)
        .map((o) => o.path)
        .join(", ") +
      (omitted.length > 5 ? ", …" : "");
  return {
    mode: "bundle",
    fs,
    registry,
    disk: freeBytes === undefined ? undefined : { freeBytes: async () => freeBytes },
    eventLog,
    now: () => new Date(),
    describe: () => describe,
    unknown,
  };
}
