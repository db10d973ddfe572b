/**
 * The `--image DIR` / `--bundle FILE.zip` flags of every command that reads a machine, turned
 * into a {@link SourceSpec} and opened through {@link openSource}; its errors become the CLI's
 * usage errors (exit 64) and refused bundles one stderr line (exit 3), the same in every command.
 *
 * Source: docs/exit-codes.md.
 */
import {
  assertSourceSupported,
  openSource,
  type OpenedSource,
  type SourceSpec,
} from "../adapters/open-source.js";
import { SourceError } from "../adapters/errors.js";
import type { BundleError } from "../bundle/errors.js";
import type { BundleSnapshot } from "../ports/snapshot.js";
import { InputFileError } from "../util/input-file-error.js";
import { ExitCode } from "../report/exit-codes.js";
import type { CliIo } from "./io.js";
import { optionFileError } from "./options.js";
import { UsageError } from "./usage-error.js";

/** The source flags a command accepts (absent ones are never given). */
export interface SourceFlags {
  image?: string;
  bundle?: string;
  /** `--free-space BYTES`. */
  freeSpace?: number;
}

/**
 * The source the flags name: `--bundle`, `--image`, or (neither) the live machine.
 * @throws UsageError when both `--image` and `--bundle` are given.
 */
export function sourceSpec(flags: SourceFlags): SourceSpec {
  if (flags.image !== undefined && flags.bundle !== undefined)
    throw new UsageError("--image and --bundle are exclusive");
  const free = flags.freeSpace === undefined ? {} : { freeBytes: flags.freeSpace };
  if (flags.bundle !== undefined) return { bundle: flags.bundle, ...free };
  if (flags.image !== undefined) return { image: flags.image, ...free };
  return { live: true };
}

/**
 * Opens `spec` ({@link openSource}). A source that cannot be used is a usage error naming the
 * option: `--image DIR: not-a-directory: …`, `--image DIR: not the root of a Windows system
 * volume …`, or, off Windows, `live mode runs on Windows only; <liveHint>`.
 * @param liveHint - what to do instead of live mode, e.g. `pass --image DIR or --bundle FILE.zip`.
 * @throws UsageError as above; BundleError and the bundle file's InputFileError pass through
 *   (see {@link bundleRefused}).
 */
export async function openCliSource(
  spec: { bundle: string },
  liveHint: string,
): Promise<OpenedSource<BundleSnapshot>>;
export async function openCliSource(spec: SourceSpec, liveHint: string): Promise<OpenedSource>;
export async function openCliSource(spec: SourceSpec, liveHint: string): Promise<OpenedSource> {
  try {
    return await openSource(spec);
  } catch (e) {
    throw asUsageError(e, spec, liveHint);
  }
}

/**
 * The usage error of {@link openCliSource} for a spec that cannot be opened on this machine
 * whatever its content (live mode off Windows), without opening anything: for a command that
 * refuses that before its other checks.
 * @throws UsageError `live mode runs on Windows only; <liveHint>`.
 */
export function checkCliSourceSupported(spec: SourceSpec, liveHint: string): void {
  try {
    assertSourceSupported(spec);
  } catch (e) {
    throw asUsageError(e, spec, liveHint);
  }
}

/** `e` as the CLI's usage error when it is one (see {@link openCliSource}), else `e` itself. */
function asUsageError(e: unknown, spec: SourceSpec, liveHint: string): unknown {
  if (e instanceof SourceError) {
    if (e.code === "live-unsupported") return new UsageError(`${e.message}; ${liveHint}`);
    return new UsageError(`--image ${e.message}`);
  }
  if ("image" in spec && e instanceof InputFileError) return optionFileError("--image", e);
  return e;
}

/**
 * Says on stderr why a bundle was refused (`koff-doctor: FILE: bundle tampered (tampered,
 * member M): …`) and gives the exit code: 3 (UNREADABLE).
 * @param file - the bundle named on the command line, or `undefined` when writing one (`collect`).
 */
export function bundleRefused(e: BundleError, file: string | undefined, io: CliIo): number {
  io.stderr(`koff-doctor: ${file === undefined ? "" : `${file}: `}${describeBundleError(e)}\n`);
  return ExitCode.UNREADABLE;
}

/** Renders a bundle error for stderr: code, member and message. */
export function describeBundleError(e: BundleError): string {
  const what = e.code === "tampered" ? "tampered" : "refused";
  return `bundle ${what} (${e.code}${e.path === undefined ? "" : `, member ${e.path}`}): ${e.message}`;
}
