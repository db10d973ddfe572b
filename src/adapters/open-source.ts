/**
 * The one way to open a machine for reading: a mounted image, a diagnostics bundle, this
 * Windows machine, or files of this disk. Every command (`check`, `collect`, `triage`,
 * `repair`) and library caller opens its source here, so the checks a source passes before it
 * is read are made once: the image root (src/adapters/image/image-root.ts), live mode on Windows
 * only, and a bundle verified whole before anything reads it (src/bundle/bundle-reader.ts).
 *
 * Source: docs/bundle.md ("Reading is safe"); docs/exit-codes.md ("Inputs that are not files").
 */
import type { BundleReadLimits } from "../bundle/limits.js";
import type { BundleSnapshot, Snapshot } from "../ports/snapshot.js";
import { SourceError } from "./errors.js";
import { createHostSnapshot, type HostSnapshotOptions } from "./host/host-snapshot.js";
import { checkImageRoot } from "./image/image-root.js";
import { isWindowsPath } from "../paths/windows-path.js";
import type { LiveSnapshotOptions } from "./live/live-snapshot.js";

/** A mounted or copied Windows system volume (`--image DIR`). */
export interface ImageSourceSpec {
  /** Host folder holding the volume's top level (`Windows/`, `Users/`, …). */
  image: string;
  /** Free bytes on the original system volume, when the analyst knows it (`--free-space`). */
  freeBytes?: number;
}

/** A diagnostics bundle written by `collect` (`--bundle FILE.zip`). */
export interface BundleSourceSpec {
  /** Host path of the zip. */
  bundle: string;
  /** Free bytes to report instead of the bundle's own answer (`check --bundle --free-space`). */
  freeBytes?: number;
  /** Reader caps (tests); default `DEFAULT_READ_LIMITS` (src/bundle/limits.ts). */
  limits?: Partial<BundleReadLimits>;
}

/** This Windows machine (Windows only); the options are overrides for tests. */
export type LiveSourceSpec = { live: true } & LiveSnapshotOptions;

/** Files of this machine's disk, named by host paths (`triage PATH...`). */
export type HostFilesSourceSpec = { hostFiles: true } & HostSnapshotOptions;

/** What to open: exactly one of an image, a bundle, the live machine, or host files. */
export type SourceSpec = ImageSourceSpec | BundleSourceSpec | LiveSourceSpec | HostFilesSourceSpec;

/** An opened source: its snapshot, and `close()` to release what it holds (a bundle's zip). */
export interface OpenedSource<S extends Snapshot = Snapshot> {
  snapshot: S;
  /** Releases the source's resources; idempotent. Call it when done, also after an error. */
  close(): void;
}

/**
 * Throws when `spec` cannot be opened on this machine whatever its content: live mode off
 * Windows. Cheap and without I/O, so a caller may call it before other work; {@link openSource}
 * calls it too.
 * @throws SourceError `live-unsupported`.
 */
export function assertSourceSupported(spec: SourceSpec, platform: NodeJS.Platform = process.platform): void {
  if ("live" in spec && platform !== "win32")
    throw new SourceError("live-unsupported", "live mode runs on Windows only");
}

/**
 * Opens `spec` and builds its snapshot. Nothing is read before the source's checks pass; a
 * bundle is verified whole (every member against its manifest) before its snapshot is built.
 * The image, bundle and live adapters are imported when such a source is opened, so a run that
 * opens host files (`triage PATH`) never loads them, nor what they load (child_process for live
 * mode's tools, zlib for a bundle's zip).
 * @throws SourceError `live-unsupported` (live mode off Windows), `not-an-image-root` (an image,
 *   or the image root of host files), `not-a-windows-path` (host files' `originalWindowsPath`).
 * @throws WindowsStateError `exec-failed` when live mode cannot run the tools it reads through.
 * @throws InputFileError when the image folder or the bundle file is not a usable folder or file.
 * @throws BundleError when the bundle is refused or tampered with (its zip is closed again).
 */
export async function openSource(spec: BundleSourceSpec): Promise<OpenedSource<BundleSnapshot>>;
export async function openSource(spec: SourceSpec): Promise<OpenedSource>;
export async function openSource(spec: SourceSpec): Promise<OpenedSource> {
  assertSourceSupported(spec);
  if ("bundle" in spec) return openBundleSource(spec);
  if ("image" in spec) {
    await checkImageRoot(spec.image);
    const { createImageSnapshot } = await import("./image/image-snapshot.js");
    return unheld(createImageSnapshot(spec.image, { freeBytes: spec.freeBytes }));
  }
  if ("live" in spec) {
    const { live: _live, ...options } = spec;
    const { createLiveSnapshot } = await import("./live/live-snapshot.js");
    return unheld(await createLiveSnapshot(options));
  }
  const { hostFiles: _hostFiles, ...options } = spec;
  if (options.imageRoot !== undefined) await checkImageRoot(options.imageRoot);
  if (options.originalWindowsPath !== undefined && !isWindowsPath(options.originalWindowsPath))
    throw new SourceError("not-a-windows-path", `not a full Windows path: ${options.originalWindowsPath}`, {
      path: options.originalWindowsPath,
    });
  return unheld(createHostSnapshot(options));
}

/** A source that holds nothing open. */
function unheld<S extends Snapshot>(snapshot: S): OpenedSource<S> {
  return { snapshot, close: () => {} };
}

async function openBundleSource(spec: BundleSourceSpec): Promise<OpenedSource<BundleSnapshot>> {
  const [{ openBundle }, { createBundleSnapshot }] = await Promise.all([
    import("../bundle/bundle-reader.js"),
    import("./bundle/bundle-snapshot.js"),
  ]);
  const bundle = await openBundle(spec.bundle, spec.limits);
  try {
    const snapshot = await createBundleSnapshot(bundle);
    const { freeBytes } = spec;
    if (freeBytes !== undefined) {
      // The analyst's figure replaces what the bundle did not know: the fact is known now.
      snapshot.disk = { freeBytes: async () => freeBytes };
      delete snapshot.unknown["freeDiskBytes"];
    }
    let open = true;
    const close = () => {
      if (open) bundle.close();
      open = false;
    };
    return { snapshot, close };
  } catch (e) {
    bundle.close();
    throw e;
  }
}
