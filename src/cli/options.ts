/**
 * Option parsers and checks shared by verbs (`--at`, `--trust`, `--state`, `--html`, `--as`,
 * `--free-space`, `--out`), turning bad values into usage errors (exit 64) that name the option,
 * the path and the error code. The source flags (`--image`, `--bundle`) are src/cli/source-options.ts.
 */
import { InvalidArgumentError } from "commander";
import { READ_LIMITS } from "../limits.js";
import { isWindowsPath } from "../paths/windows-path.js";
import { CodedError } from "../util/coded-error.js";
import { InputFileError } from "../util/input-file-error.js";
import { checkWritableTarget, readUserFile, requireDirectory, writeUserFile } from "../util/safe-file.js";
import { UsageError } from "./usage-error.js";
import { printable } from "./terminal-text.js";

/** The form `--at` and `events --since` accept, named in their usage errors. */
export const ISO_TIME_FORM =
  "an ISO 8601 date-time such as 2024-01-01T00:00:00Z or 2024-01-01T02:00:00+02:00";

const ISO_TIME =
  /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d\d):(\d\d)))?$/;

/**
 * Parses an ISO 8601 (RFC 3339) date-time strictly: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`,
 * or a bare date `YYYY-MM-DD` read as UTC midnight. The fraction is cut to milliseconds.
 * Impossible dates and times (2024-02-30, 25:00, a leap second) are refused.
 * @returns the instant, or undefined when `value` is not of that form.
 */
export function parseIsoTime(value: string): Date | undefined {
  const m = ISO_TIME.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m
    .slice(1, 7)
    .map((v) => (v === undefined ? undefined : Number(v)));
  const ms = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3));
  const offset = m[9] === undefined ? 0 : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (h > 23 || mi > 59 || s > 59 || Number(m[10] ?? 0) > 23 || Number(m[11] ?? 0) > 59) return undefined;
  const local = Date.UTC(y!, mo! - 1, d!, h, mi, s, ms);
  const check = new Date(local);
  // Date.UTC rolls 2024-02-30 over to March: refuse what does not round-trip.
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo! - 1 || check.getUTCDate() !== d)
    return undefined;
  const at = new Date(local - offset * 60_000);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** `--at ISO-8601` → Date (see {@link parseIsoTime}); anything else is a usage error (exit 64). */
export function parseAt(value: string): Date {
  const d = parseIsoTime(value);
  if (d === undefined) throw new InvalidArgumentError(`expected ${ISO_TIME_FORM}, got: ${value}`);
  return d;
}

/** `--free-space BYTES` → a non-negative safe integer; anything else is a usage error (exit 64). */
export function parseByteCount(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`not a byte count: ${value}`);
  return n;
}

/**
 * `--as WINPATH` must be a full Windows path (`C:\…`, `\\server\share\…`).
 * @throws UsageError with an example otherwise.
 */
export function checkWindowsPathOption(option: string, value: string): void {
  if (isWindowsPath(value)) return;
  throw new UsageError(
    `${option} ${value}: give the full Windows path, e.g. C:\\Users\\bob\\AppData\\Roaming\\kofmsp.dll`,
  );
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
  if (e instanceof InputFileError)
    return new UsageError(`${option} ${printable(e.path)}: ${e.code}: ${e.reason}`);
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
 * Why `file` cannot be written as an output (`collect --out`): a folder, FIFO, device or socket
 * or a symlink loop there; undefined when it can be (an absent file can).
 */
export async function outputTargetProblem(file: string): Promise<InputFileError | undefined> {
  const problem = await checkWritableTarget(file).catch((e: unknown) => e);
  return problem instanceof InputFileError ? problem : undefined;
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
