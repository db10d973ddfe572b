/**
 * Option parsers and checks shared by verbs (`--at`, `--trust`, `--image`, `--html`), turning bad
 * values into usage errors (exit 64) that name the option, the path and the error code.
 */
import { readdir } from "node:fs/promises";
import { InvalidArgumentError } from "commander";
import { READ_LIMITS } from "../limits.js";
import { CodedError } from "../util/coded-error.js";
import { InputFileError } from "../util/input-file-error.js";
import { checkWritableTarget, readUserFile, requireDirectory, writeUserFile } from "../util/safe-file.js";
import { UsageError } from "./usage-error.js";

/** `--at ISO-8601` → Date. */
export function parseAt(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError(`not an ISO-8601 time: ${value}`);
  return d;
}

/** Repeatable option collector. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The usage error for a file or folder option that was refused: `--trust /dev/zero: not-a-file:
 * a character device, not a regular file; not read`.
 */
export function optionFileError(option: string, e: unknown): unknown {
  if (e instanceof InputFileError) return new UsageError(`${option} ${e.path}: ${e.code}: ${e.reason}`);
  if (e instanceof CodedError) return new UsageError(`${option}: ${e.code}: ${e.message}`);
  return e;
}

/**
 * Checks every `--trust FILE` before any work: a regular file within
 * {@link READ_LIMITS}.trustFileBytes (FIFOs, devices, folders and symlink loops are refused
 * unopened). The certificates themselves are parsed later, by the verifier.
 * @throws UsageError naming the option, path and code.
 */
export async function checkTrustFiles(files: readonly string[]): Promise<void> {
  for (const f of files)
    await readUserFile(f, { maxBytes: READ_LIMITS.trustFileBytes }).catch((e: unknown) => {
      throw optionFileError("--trust", e);
    });
}

/** Top-level folders of a Windows system volume; an `--image` root must hold at least one. */
const VOLUME_FOLDERS = ["windows", "users", "program files", "program files (x86)", "documents and settings"];

/**
 * `--image DIR` must be the root of a Windows system volume (it holds `Windows/` or `Users/`, any
 * letter case). A wrong root would otherwise read as "nothing installed". A file, FIFO, device,
 * symlink loop or missing path is refused by its code before anything is listed.
 * @throws UsageError naming what is wrong.
 */
export async function checkImageRoot(dir: string): Promise<void> {
  await requireDirectory(dir).catch((e: unknown) => {
    throw optionFileError("--image", e);
  });
  const names = (await readdir(dir).catch(() => [] as string[])).map((n) => n.toLowerCase());
  if (!VOLUME_FOLDERS.some((f) => names.includes(f))) {
    throw new UsageError(
      `--image ${dir}: not the root of a Windows system volume (no Windows, Users or Program Files folder)`,
    );
  }
}

/**
 * `--state DIR` must be a folder, or absent (it is created): a file, FIFO, device or symlink
 * loop there is refused by its code before any work.
 * @throws UsageError naming the option, path and code.
 */
export async function checkStateDir(dir: string): Promise<void> {
  await requireDirectory(dir).catch((e: unknown) => {
    if (e instanceof InputFileError && e.code === "not-found") return;
    throw optionFileError("--state", e);
  });
}

/**
 * Checks, before any work, that a report file (`--html FILE`) can be written: absent or a
 * regular file, never a folder, FIFO, device or socket.
 * @throws UsageError naming the option, path and code.
 */
export async function checkReportTarget(option: string, file: string): Promise<void> {
  await checkWritableTarget(file).catch((e: unknown) => {
    throw optionFileError(option, e);
  });
}

/**
 * Writes a report file the user asked for (`--html FILE`) as a regular file; a path that cannot
 * be written (a folder, FIFO, device, no permission) is a usage error.
 */
export async function writeReport(file: string, content: string): Promise<void> {
  await writeUserFile(file, content).catch((e: unknown) => {
    throw optionFileError("--html", e);
  });
}
