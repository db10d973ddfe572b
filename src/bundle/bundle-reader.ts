/**
 * Opening a diagnostics bundle (`--bundle FILE.zip`); src/adapters/bundle replays it as a
 * snapshot (mode `"bundle"`). Nothing is extracted: members are inflated into memory on demand.
 *
 * {@link openBundle} validates the archive ({@link openZipArchive}: paths, links, caps, ratio),
 * then `manifest.json`, then checks every member against the manifest's size and sha256 before
 * anything else reads it, and again on every later read (a file changed while open is caught).
 *
 * Source: docs/bundle.md ("Reading is safe", "The manifest is validated whole").
 */
import { DEFAULT_READ_LIMITS, type BundleReadLimits } from "./limits.js";
import { BundleError } from "./errors.js";
import { MEMBER } from "./layout.js";
import { checkMemberList, sha256Hex, validateManifest, type BundleManifest } from "./manifest.js";
import { openZipArchive, type ZipArchive } from "./zip-reader.js";
import { refang } from "./defang.js";

/** Members kept in memory after their first read, in bytes; larger sets are re-read (and re-verified). */
const CACHE_BUDGET_BYTES = 128 * 1024 * 1024;

/** An opened, verified bundle. */
export interface Bundle {
  readonly file: string;
  readonly manifest: BundleManifest;
  /** Member names (files only); a defanged binary by its real name (docs/bundle.md "Defanged binaries"). */
  readonly memberNames: readonly string[];
  /**
   * A member's bytes, verified against the manifest; a defanged binary's real bytes, by its real
   * name, checked against the real sha256 too.
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
    // A defanged binary is read by its real name (what the indexes name), never by the stored one.
    const defanged = new Map(manifest.members.flatMap((m) => (m.defanged ? [[m.defanged.path, m]] : [])));
    const cache = new Map<string, Uint8Array>();
    let cached = 0;
    const readStored = async (member: string): Promise<Uint8Array> => {
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
      return bytes;
    };
    const read = async (member: string): Promise<Uint8Array> => {
      const hit = cache.get(member);
      if (hit) return hit;
      if (expected.get(member)?.defanged)
        throw new BundleError("member-invalid", `${member} is read by its real name`, { path: member });
      const stored = defanged.get(member);
      const bytes = stored ? refang(await readStored(stored.path)) : await readStored(member);
      if (stored) {
        const got = sha256Hex(bytes);
        if (got !== stored.defanged!.sha256)
          throw new BundleError(
            "tampered",
            `defanged member ${stored.path} does not give back ${member}: sha256 ${got}, the manifest says ${stored.defanged!.sha256}`,
            { path: stored.path },
          );
      }
      if (cached + bytes.length <= CACHE_BUDGET_BYTES) {
        cache.set(member, bytes);
        cached += bytes.length;
      }
      return bytes;
    };
    const names = manifest.members.map((m) => m.defanged?.path ?? m.path);
    // Verify everything up front: a tampered bundle is refused before any result is shown.
    for (const name of names) await read(name);
    return {
      file,
      manifest,
      memberNames: names,
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
