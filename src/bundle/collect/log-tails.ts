/**
 * Bundle members `logs/…` and `logs/index.json`: the last bytes of KOFF's log files and of the
 * installer logs in temp folders. KOFF's log file names are not documented publicly, so every
 * `*.log` under the install folders and cache roots is taken.
 *
 * A tail is read in place when the port knows the file's host path (image and live sources):
 * the file is opened with O_NONBLOCK and judged by `fstat` on the open descriptor
 * ({@link openRegularFile}), so a log swapped for a FIFO or device after it was listed is
 * skipped, never waited on.
 *
 * Source: docs/bundle.md ("Layout", "Caps"); open(2) (O_NONBLOCK on a FIFO), fifo(7).
 */
import { close, read } from "node:fs";
import { promisify } from "node:util";
import type { CheckReport } from "../../app/check-machine.js";
import { READ_LIMITS } from "../../limits.js";
import { joinWindowsPath, normalizeWindowsPath, windowsPathKey } from "../../paths/windows-path.js";
import type { DirEntry, FileSystemPort } from "../../ports/file-system.js";
import { openRegularFile } from "../../util/safe-file.js";
import { MEMBER, memberForWindowsPath } from "../layout.js";
import type { BundleCollectLimits } from "../limits.js";
import type { BundleMembers } from "./bundle-members.js";

/** Installer logs in temp folders. */
const INSTALLER_LOG = /^(msi[0-9a-z]*|.*kerio.*|.*koff.*|.*outlook ?connector.*)\.log$/i;

/** The tail of one log file. */
export interface LogTail {
  /** Windows path, normalized. */
  path: string;
  /** Size of the whole file, in bytes. */
  size: number;
  /** Bytes kept from its end. */
  tailBytes: number;
  data: Uint8Array;
}

/**
 * Log files to carry, in walk order: `*.log` up to three folders deep under the install folders
 * and the local cache roots, then installer logs directly in each user's `AppData\Local\Temp`
 * and in `C:\Windows\Temp`. Lists through `fs` only; at most `max` files, and at most
 * `READ_LIMITS.logWalkEntries` entries over the whole search.
 */
export async function findLogs(fs: FileSystemPort, report: CheckReport, max: number): Promise<string[]> {
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
  const budget = { left: READ_LIMITS.logWalkEntries };
  for (const f of report.facts.install.folders) await walk(f, 3, budget, isLog);
  for (const r of report.facts.cacheRoots) if (!r.onNetwork) await walk(r.path, 3, budget, isLog);
  const installer = (e: DirEntry) => INSTALLER_LOG.test(e.name);
  for (const u of report.facts.users)
    await walk(`C:\\Users\\${u}\\AppData\\Local\\Temp`, 0, budget, installer);
  await walk("C:\\Windows\\Temp", 0, budget, installer);
  return [...out.values()];
}

const closeAsync = promisify(close);

/** Reads up to `length` bytes of open descriptor `fd` from `position`; fewer at end of file. */
async function readAt(fd: number, length: number, position: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const n = await new Promise<number>((resolve, reject) =>
      read(fd, buf, filled, length - filled, position + filled, (err, got) =>
        err ? reject(err) : resolve(got),
      ),
    );
    if (n === 0) break;
    filled += n;
  }
  return buf.subarray(0, filled);
}

/**
 * The last `tail` bytes of the file whose listed size was `size`: a ranged read of the host file
 * when the port names one, else the whole file read through the port (at most
 * `READ_LIMITS.logFileBytes`, or `tail` when larger). `undefined` when the file is gone, is no
 * longer a regular file (a FIFO, device or folder now stands at its path) or is over the cap.
 * A read error on an opened file propagates.
 */
async function readTail(
  fs: FileSystemPort,
  path: string,
  size: number,
  tail: number,
): Promise<Uint8Array | undefined> {
  const host = await fs.hostPath?.(path);
  if (host !== undefined) {
    // No size cap: only the tail is read, whatever the file's size.
    const opened = await openRegularFile(host, { maxBytes: Number.MAX_SAFE_INTEGER }).catch(() => undefined);
    if (opened === undefined) return undefined;
    try {
      const n = Math.min(size, tail);
      return await readAt(opened.fd, n, Math.max(0, size - n));
    } finally {
      await closeAsync(opened.fd).catch(() => undefined);
    }
  }
  const whole = await fs.readFile(path, Math.max(tail, READ_LIMITS.logFileBytes));
  return whole?.subarray(Math.max(0, whole.length - tail));
}

/**
 * Reads the tails of the logs {@link findLogs} finds, through `fs`: pass the source's port, not
 * the recording one (a tail is not a whole file, so it travels as a log member and is not
 * replayed). Writes no member. Caps: `maxLogs` files, the last `logTailBytes` of each,
 * `maxLogBytesTotal` together; each log left out by the total cap gets a note. A log that is not
 * (or is no longer) a regular file is skipped without a note.
 */
export async function readLogTails(
  fs: FileSystemPort,
  report: CheckReport,
  limits: BundleCollectLimits,
  notes: string[],
): Promise<LogTail[]> {
  const logs: LogTail[] = [];
  let logBytes = 0;
  for (const p of await findLogs(fs, report, limits.maxLogs)) {
    const st = await fs.stat(p);
    if (st?.kind !== "file") continue;
    if (logBytes >= limits.maxLogBytesTotal) {
      notes.push(`log not carried (total log cap ${limits.maxLogBytesTotal} bytes reached): ${p}`);
      continue;
    }
    const data = await readTail(
      fs,
      p,
      st.size,
      Math.min(limits.logTailBytes, limits.maxLogBytesTotal - logBytes),
    );
    if (data === undefined) continue;
    logBytes += data.length;
    logs.push({ path: normalizeWindowsPath(p), size: st.size, tailBytes: data.length, data });
  }
  return logs;
}

/**
 * Writes each tail as text under `logs/` (named after its redacted path) and `logs/index.json`:
 * path, size, bytes kept, whether it was cut, and its member. Reads no port.
 * @param tailCapBytes - the per-file cap, recorded in the index.
 */
export function writeLogMembers(out: BundleMembers, logs: readonly LogTail[], tailCapBytes: number): void {
  const index = logs.map((l) => {
    const member = memberForWindowsPath("logs", out.text(l.path));
    out.putText(member, l.data);
    return { path: l.path, size: l.size, tailBytes: l.tailBytes, truncated: l.tailBytes < l.size, member };
  });
  out.putJson(MEMBER.logs, { tailCapBytes, logs: index });
}
