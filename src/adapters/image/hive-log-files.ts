/**
 * The transaction logs of a hive file in an image: `<hive>.LOG1` and `<hive>.LOG2` in the hive's
 * folder (`SOFTWARE.LOG1` beside `Windows/System32/config/SOFTWARE`, `NTUSER.DAT.LOG1` beside
 * `NTUSER.DAT`), matched case-insensitively (an exact-case name wins), read whole under a cap
 * through the descriptor that was checked (see {@link readLog}). A log is refused, with the
 * {@link InputFileError} code as its problem, when it is a link leading out of the image
 * (`outside-root`), a folder (`is-a-directory`), a FIFO, device or socket (`not-a-file`, opened
 * without blocking and never read), or larger than the cap (`too-large`, refused on its size
 * before a byte is read); a missing log is `not-found`. A refused log is simply not replayed:
 * the hive stays as it is on disk.
 *
 * Source: M. Suhanov, "Windows registry file format specification", section "Types of files"
 * (https://github.com/msuhanov/regf/blob/master/Windows%20registry%20file%20format%20specification.md);
 * src/adapters/image/image-path.ts (the image root rule); open(2) O_NOFOLLOW
 * (https://man7.org/linux/man-pages/man2/open.2.html).
 */
import { readdir, realpath } from "node:fs/promises";
import path from "node:path";
import type { HiveLogInput } from "../../registry/hive/replay-logs.js";
import { InputFileError } from "../../util/input-file-error.js";
import { openFoundFile, rangesOver } from "../../util/safe-file.js";
import { isInside, openedLocation } from "../opened-location.js";

/** The log suffixes of the dual-logging scheme, in the order they are given to the replay. */
export const HIVE_LOG_SUFFIXES = [".LOG1", ".LOG2"] as const;

/**
 * The logs of the hive at host path `hiveFile` (a path inside `imageRoot`), each as its bytes
 * or as the reason it was not read.
 * @param imageRoot - the folder no log may lead out of: the image, or the hive's own folder
 *   (`registry export HIVE`).
 * @param maxLogBytes - largest log read, in bytes.
 * @param rootName - how refusals name `imageRoot`, e.g. `"the image"` (the default).
 */
export async function readHiveLogs(
  imageRoot: string,
  hiveFile: string,
  maxLogBytes: number,
  rootName = "the image",
): Promise<HiveLogInput[]> {
  const dir = path.dirname(hiveFile);
  const base = path.basename(hiveFile);
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  const realRoot = await realpath(imageRoot);
  const out: HiveLogInput[] = [];
  for (const suffix of HIVE_LOG_SUFFIXES) {
    const want = base + suffix;
    const name = names.find((n) => n === want) ?? names.find((n) => n.toUpperCase() === want.toUpperCase());
    if (name === undefined) {
      out.push({ name: want, problem: { code: "not-found", message: "no such file beside the hive" } });
      continue;
    }
    try {
      out.push({ name, bytes: await readLog({ realRoot, rootName }, path.join(dir, name), maxLogBytes) });
    } catch (e) {
      if (!(e instanceof InputFileError)) throw e;
      out.push({ name, problem: { code: e.code, message: e.reason } });
    }
  }
  return out;
}

/** The folder no log may lead out of: its real path, and how refusals name it. */
interface Root {
  realRoot: string;
  rootName: string;
}

/**
 * The bytes of log `file`, read as every file an image listing finds is read: opened without
 * following a link at its last component ({@link openFoundFile}: O_NOFOLLOW, O_NONBLOCK, then
 * `fstat` refuses a folder, FIFO, device or socket and a size over the cap before a byte is read),
 * its real location taken from the descriptor and refused outside `root`, then read from that
 * descriptor. A link is followed only when its target lies inside `root`, and the target is
 * opened the same way; so what is read is what was checked, with no window between the two.
 * @throws InputFileError `outside-root`, `symlink-loop`, `dangling-symlink`, `unreadable` (the file
 *   shrank while read), and the codes of {@link openFoundFile}.
 */
async function readLog(root: Root, file: string, maxLogBytes: number): Promise<Uint8Array> {
  let opened: { fd: number; size: number };
  try {
    opened = openFoundFile(file, { maxBytes: maxLogBytes });
  } catch (e) {
    if (!(e instanceof InputFileError) || e.kind !== "symlink") throw e;
    opened = openFoundFile(await linkTargetInside(root, file), { maxBytes: maxLogBytes });
  }
  const ranges = rangesOver(opened.fd, opened.size);
  try {
    const where = await openedLocation(opened.fd, file);
    if (where === undefined || !isInside(root.realRoot, where)) throw outsideRoot(root, file);
    const bytes = await ranges.read(0, opened.size);
    if (bytes === undefined)
      throw new InputFileError("unreadable", file, "the log could not be read whole (it shrank while read)");
    return bytes;
  } finally {
    await ranges.close();
  }
}

/**
 * The real path of link `file` when it lies inside `root` (only the path is resolved; nothing
 * is opened).
 * @throws InputFileError `outside-root`, `symlink-loop`, `dangling-symlink`.
 */
async function linkTargetInside(root: Root, file: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(file);
  } catch (e) {
    const loop = (e as NodeJS.ErrnoException).code === "ELOOP";
    throw new InputFileError(
      loop ? "symlink-loop" : "dangling-symlink",
      file,
      loop ? "symbolic links loop (ELOOP); not followed" : "a symbolic link to nothing (dangling)",
      { kind: "symlink", cause: e },
    );
  }
  if (!isInside(root.realRoot, real)) throw outsideRoot(root, file);
  return real;
}

/** The refusal of a log whose real location lies outside the root. */
function outsideRoot(root: Root, file: string): InputFileError {
  const reason = `a symbolic link leading out of ${root.rootName}; not read`;
  return new InputFileError("outside-root", file, reason, { kind: "symlink" });
}
