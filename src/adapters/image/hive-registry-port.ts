/**
 * A {@link RegistryPort} over a Windows image directory (`--image DIR`): the hive files are
 * opened lazily, once, in permissive mode, and cached.
 *
 * Mounts (paths resolved case-insensitively inside the image, see {@link resolveInImage}):
 * - `HKLM\SOFTWARE` → `Windows/System32/config/SOFTWARE`
 * - `HKLM\SYSTEM`   → `Windows/System32/config/SYSTEM`
 * - `HKU\.DEFAULT`  → `Windows/System32/config/DEFAULT`
 * - `HKU\<name>`    → `Users/<name>/NTUSER.DAT` (or `Documents and Settings/<name>/NTUSER.DAT`)
 * - `HKU\<name>_Classes` → `Users/<name>/AppData/Local/Microsoft/Windows/UsrClass.dat`
 *
 * `users()` lists the profile folders that hold an `NTUSER.DAT`, except the template and shared
 * profiles `Default`, `Default User`, `Public` and `All Users` (no one logs on with them, so they
 * hold no Outlook profile). Those hives are still reachable by path (`HKU\Default\…`).
 * `HKLM` and `HKU` themselves are served as keys listing what is mounted.
 *
 * A dirty hive (sequence numbers differ, or a damaged base block) is replayed in memory from its
 * `.LOG1`/`.LOG2` beside it, as Windows does when it loads one ({@link replayHiveLogs},
 * docs/registry.md "Transaction logs"); reads see the recovered hive, `health()` says the file is
 * dirty and how it was recovered (or why not). Neither the hive nor its logs are ever written;
 * both are read through {@link readFileInRoot} (opened, checked to be a regular file inside the
 * image, read from that descriptor).
 *
 * Source: src/ports/registry.ts; Microsoft "Registry Hives"
 * (https://learn.microsoft.com/en-us/windows/win32/sysinfo/registry-hives); docs/registry.md
 * ("Registry ports").
 */
import { realpath } from "node:fs/promises";
import { READ_LIMITS } from "../../limits.js";
import type { HiveHealth, RegKey, RegistryPort } from "../../ports/registry.js";
import { RegistryError } from "../../registry/errors.js";
import { isDirtyBaseBlock } from "../../registry/hive/base-block.js";
import { openHive, type Hive } from "../../registry/hive/hive.js";
import { replayHiveLogs } from "../../registry/hive/replay-logs.js";
import { readHiveLogs } from "./hive-log-files.js";
import type { HiveMode } from "../../registry/hive/hive-context.js";
import { regNameKey } from "../../registry/model/reg-tree.js";
import { splitRegistryPath } from "../../registry/model/registry-path.js";
import { listInImage, resolveInImage } from "./image-path.js";
import { InputFileError } from "../../util/input-file-error.js";
import { readFileInRoot, type ImageRoot } from "./read-in-root.js";

/** Options of {@link HiveRegistryPort}. */
export interface HiveRegistryPortOptions {
  /** Parse mode of the hives; default `"permissive"`. */
  mode?: HiveMode;
  /**
   * Largest hive file read, in bytes; larger ones are refused with `count-over-limit`.
   * Default {@link READ_LIMITS}.hiveFileBytes (1 GiB).
   */
  maxHiveBytes?: number;
  /**
   * Largest transaction log read beside a dirty hive, in bytes; a larger one is refused
   * (`too-large`) and not replayed. Default {@link READ_LIMITS}.hiveLogBytes (256 MiB).
   */
  maxLogBytes?: number;
}

const CONFIG = ["Windows", "System32", "config"];
const USER_DIRS = [["Users"], ["Documents and Settings"]];
const NON_USER_PROFILES = new Set(["DEFAULT", "DEFAULT USER", "PUBLIC", "ALL USERS"]);

/** State of one hive the port opened, for evidence (the port's {@link HiveHealth}). */
export type OpenedHive = HiveHealth;

/**
 * A hive opened (`hive`), or a hive file refused unopened (`refused`: a FIFO, device, folder or
 * symlink loop where the hive should be); `undefined` when there is no hive file.
 */
type OpenResult =
  | { hive: Hive; file: string; mount: string }
  | { refused: InputFileError; file: string; mount: string }
  | undefined;

/** Refusals that mean "no file there" rather than "something that is not a hive file there". */
const ABSENT_CODES: ReadonlySet<string> = new Set(["not-found", "dangling-symlink"]);

/** The promise `map` holds for `key`, made by `make` on first use (each look-up done once per port). */
function once<K, V>(map: Map<K, Promise<V>>, key: K, make: () => Promise<V>): Promise<V> {
  let p = map.get(key);
  if (p === undefined) {
    p = make();
    map.set(key, p);
  }
  return p;
}

/** A registry port over the hive files of a Windows image directory. */
export class HiveRegistryPort implements RegistryPort {
  readonly #imageDir: string;
  readonly #mode: HiveMode;
  readonly #maxHiveBytes: number;
  readonly #maxLogBytes: number;
  readonly #hives = new Map<string, Promise<OpenResult>>();
  /** Mount resolution per `ROOT\NAME` (upper-case): resolving reads directories such as System32, so it is done once. */
  readonly #mounts = new Map<string, Promise<string[] | undefined>>();
  /** {@link resolveInImage} per image-relative path, done once: the hives too are read once per port. */
  readonly #resolved = new Map<string, Promise<string | undefined>>();
  /** The image's real path (see {@link HiveRegistryPort.#root}). */
  #imageRoot: Promise<ImageRoot> | undefined;
  /** The profile folders holding an NTUSER.DAT, with and without the template profiles, listed once. */
  readonly #profileLists = new Map<boolean, Promise<Array<{ name: string }>>>();

  /** @param imageDir - host directory of the mounted or copied Windows volume (its root, holding `Windows/`). */
  constructor(imageDir: string, options: HiveRegistryPortOptions = {}) {
    this.#imageDir = imageDir;
    this.#mode = options.mode ?? "permissive";
    this.#maxHiveBytes = options.maxHiveBytes ?? READ_LIMITS.hiveFileBytes;
    this.#maxLogBytes = options.maxLogBytes ?? READ_LIMITS.hiveLogBytes;
  }

  describe(): string {
    return `image hives ${this.#imageDir}`;
  }

  /** The image's real path, resolved once, as {@link readFileInRoot} bounds reads by it. */
  #root(): Promise<ImageRoot> {
    this.#imageRoot ??= realpath(this.#imageDir).then((realRoot) => ({ realRoot, rootName: "the image" }));
    return this.#imageRoot;
  }

  /** {@link resolveInImage} of `segs` under the image, cached. */
  #resolve(segs: readonly string[]): Promise<string | undefined> {
    return once(this.#resolved, segs.join("/"), () => resolveInImage(this.#imageDir, segs));
  }

  /** {@link HiveRegistryPort.#resolveMount}, cached. */
  #hiveFile(root: string, name: string): Promise<string[] | undefined> {
    return once(this.#mounts, `${root}\\${name.toUpperCase()}`, () => this.#resolveMount(root, name));
  }

  /** Image-relative segments of the hive file mounted at `root` (canonical short root) + `name`. */
  async #resolveMount(root: string, name: string): Promise<string[] | undefined> {
    const up = name.toUpperCase();
    if (root === "HKLM") {
      if (up === "SOFTWARE") return [...CONFIG, "SOFTWARE"];
      if (up === "SYSTEM") return [...CONFIG, "SYSTEM"];
      return undefined;
    }
    if (root !== "HKU") return undefined;
    if (up === ".DEFAULT") return [...CONFIG, "DEFAULT"];
    if (up.endsWith("_CLASSES")) {
      const user = name.slice(0, -"_Classes".length);
      for (const base of USER_DIRS) {
        const segs = [...base, user, "AppData", "Local", "Microsoft", "Windows", "UsrClass.dat"];
        if ((await this.#resolve(segs)) !== undefined) return segs;
      }
      return undefined;
    }
    for (const base of USER_DIRS) {
      const segs = [...base, name, "NTUSER.DAT"];
      if ((await this.#resolve(segs)) !== undefined) return segs;
    }
    return undefined;
  }

  /** The open hive for segments `segs`, opened once and cached. */
  #open(segs: string[], mount: string): Promise<OpenResult> {
    return once(this.#hives, regNameKey(segs.join("/")), async () => {
      const file = await this.#resolve(segs);
      if (file === undefined) return undefined;
      // Read as every found file is ({@link readFileInRoot}): opened, checked to be a regular file
      // inside the image, then read from that descriptor, so a hive swapped for a link out of the
      // image after it was resolved is refused; a FIFO or device planted as a hive is never read
      // (its keys read as absent, and health() reports the refusal); no more than the cap is read.
      let bytes: Uint8Array;
      try {
        bytes = await readFileInRoot(await this.#root(), file, this.#maxHiveBytes);
      } catch (e) {
        if (!(e instanceof InputFileError)) throw e;
        if (e.code === "too-large")
          throw new RegistryError("count-over-limit", `hive ${file}: ${e.reason}`, {
            path: file,
            cause: e,
          });
        if (e.code === "permission-denied" || e.code === "unreadable") throw e;
        return ABSENT_CODES.has(e.code) ? undefined : { refused: e, file, mount };
      }
      try {
        return { hive: await this.#openReplayed(bytes, file), file, mount };
      } catch (e) {
        if (e instanceof RegistryError) {
          throw new RegistryError(e.code, `${file}: ${e.message}`, {
            path: file,
            ...(e.offset === undefined ? {} : { offset: e.offset }),
            cause: e,
          });
        }
        throw e;
      }
    });
  }

  /**
   * Opens the hive file `file` read as `bytes`: as it is when clean, else replayed from its logs
   * (as it is, with the reason recorded, when no log applies).
   */
  async #openReplayed(bytes: Uint8Array, file: string): Promise<Hive> {
    // A file too short for a base block is left to openHive to refuse.
    if (bytes.length < 512 || !isDirtyBaseBlock(bytes)) return openHive(bytes, { mode: this.#mode });
    const logs = await readHiveLogs(this.#imageDir, file, this.#maxLogBytes);
    const replayed = replayHiveLogs(bytes, logs, { maxHiveBytes: this.#maxHiveBytes });
    if (replayed === undefined) return openHive(bytes, { mode: this.#mode });
    // A Buffer like the file read (readUserFile's), so values read from a replayed hive are the same type.
    const recovered =
      replayed.bytes &&
      Buffer.from(replayed.bytes.buffer, replayed.bytes.byteOffset, replayed.bytes.byteLength);
    return openHive(recovered ?? bytes, { mode: this.#mode, recovery: replayed.recovery });
  }

  /**
   * The key at `path`, or `undefined` when it (or its hive) does not exist.
   * @throws RegistryError when the hive file exists but cannot be opened (not a hive, truncated base block).
   */
  async getKey(path: string): Promise<RegKey | undefined> {
    const split = splitRegistryPath(path);
    if (split === undefined) return undefined;
    const { root, rest } = split;
    if (rest.length === 0) return this.#virtualRoot(root);
    const segs = await this.#hiveFile(root, rest[0]!);
    if (segs === undefined) return undefined;
    const mountName =
      segs[segs.length - 1] === "NTUSER.DAT" || segs[segs.length - 1] === "UsrClass.dat"
        ? rest[0]!
        : segs[segs.length - 1]!;
    const mount = `${root}\\${mountName}`;
    const opened = await this.#open(segs, mount);
    if (opened === undefined || !("hive" in opened)) return undefined;
    const key = opened.hive.getKey(rest.slice(1).join("\\"));
    if (key === undefined) return undefined;
    const out: RegKey = {
      path: key.path === "" ? mount : `${mount}\\${key.path}`,
      name: key.path === "" ? mountName : key.name,
      values: key.values(),
      subkeys: key.subkeys().map((k) => k.name),
    };
    if (key.lastWritten) out.lastWritten = key.lastWritten;
    return out;
  }

  async #virtualRoot(root: string): Promise<RegKey | undefined> {
    if (root === "HKLM") {
      const subkeys: string[] = [];
      for (const n of ["SOFTWARE", "SYSTEM"])
        if ((await this.#resolve([...CONFIG, n])) !== undefined) subkeys.push(n);
      return { path: "HKLM", name: "HKLM", values: [], subkeys };
    }
    if (root === "HKU") {
      const subkeys = (await this.#profiles(true)).map((p) => p.name);
      if ((await this.#resolve([...CONFIG, "DEFAULT"])) !== undefined) subkeys.unshift(".DEFAULT");
      return { path: "HKU", name: "HKU", values: [], subkeys };
    }
    return undefined;
  }

  /** {@link HiveRegistryPort.#listProfiles}, listed once per port. */
  #profiles(includeTemplates: boolean): Promise<Array<{ name: string }>> {
    return once(this.#profileLists, includeTemplates, () => this.#listProfiles(includeTemplates));
  }

  /** Profile folders holding an NTUSER.DAT (sorted, deduplicated case-insensitively). */
  async #listProfiles(includeTemplates: boolean): Promise<Array<{ name: string }>> {
    const seen = new Set<string>();
    const out: Array<{ name: string }> = [];
    for (const base of USER_DIRS) {
      const entries = await listInImage(this.#imageDir, base);
      if (entries === undefined) continue;
      for (const e of entries) {
        if (!e.dir) continue;
        const up = e.name.toUpperCase();
        if (seen.has(up)) continue;
        if (!includeTemplates && NON_USER_PROFILES.has(up)) continue;
        if ((await this.#resolve([...base, e.name, "NTUSER.DAT"])) === undefined) continue;
        seen.add(up);
        out.push({ name: e.name });
      }
    }
    return out;
  }

  /** Users with a hive, as `HKU\<folder name>`; excludes Default, Default User, Public and All Users. */
  async users(): Promise<Array<{ user: string; root: string }>> {
    return (await this.#profiles(false)).map((p) => ({ user: p.name, root: `HKU\\${p.name}` }));
  }

  /**
   * The hives opened so far, with their dirty flag and anomalies (see {@link RegistryPort.health});
   * a hive file refused unopened is listed, not dirty, with its refusal as the one anomaly.
   */
  async health(): Promise<HiveHealth[]> {
    const out: HiveHealth[] = [];
    for (const p of this.#hives.values()) {
      const h = await p.catch(() => undefined);
      if (h === undefined) continue;
      if ("refused" in h)
        out.push({
          mount: h.mount,
          file: h.file,
          dirty: false,
          anomalies: [{ code: h.refused.code, message: h.refused.reason }],
        });
      else {
        const recovery = h.hive.recovery;
        // A replayed hive reads clean, but its file is dirty: repairs must not write it. (A hive
        // with only a bad checksum and no log to replay stays "damaged", not "dirty", as before.)
        const dirty = h.hive.dirty || recovery?.recovered === true;
        out.push({
          mount: h.mount,
          file: h.file,
          dirty,
          anomalies: h.hive.anomalies,
          ...(recovery === undefined ? {} : { recovery }),
        });
      }
    }
    return out;
  }

  /** The same as {@link HiveRegistryPort.health}; the name it had before the port exposed it. */
  openedHives(): Promise<OpenedHive[]> {
    return this.health();
  }
}
