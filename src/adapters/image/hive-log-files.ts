/**
 * The transaction logs of a hive file in an image: `<hive>.LOG1` and `<hive>.LOG2` in the hive's
 * folder (`SOFTWARE.LOG1` beside `Windows/System32/config/SOFTWARE`, `NTUSER.DAT.LOG1` beside
 * `NTUSER.DAT`), matched case-insensitively (an exact-case name wins), read whole under a cap
 * through the descriptor that was checked ({@link readFileInRoot}). A log is refused, with the
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
import { READ_LIMITS } from "../../limits.js";
import { isDirtyBaseBlock } from "../../registry/index.js";
import type { HiveLogInput } from "../../registry/hive/replay-logs.js";
import { InputFileError } from "../../util/input-file-error.js";
import { readFileInRoot } from "./read-in-root.js";

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
      out.push({
        name,
        bytes: await readFileInRoot({ realRoot, rootName }, path.join(dir, name), maxLogBytes),
      });
    } catch (e) {
      if (!(e instanceof InputFileError)) throw e;
      out.push({ name, problem: { code: e.code, message: e.reason } });
    }
  }
  return out;
}

/**
 * The transaction logs beside the hive file `hiveFile` when `bytes` (its content) is dirty, read
 * as an image's are ({@link readHiveLogs}) with the hive's own folder as the root no log may
 * lead out of: what `registry export HIVE` replays. `undefined` for a clean hive (its logs are
 * not read).
 */
export async function logsOfDirtyHiveFile(
  hiveFile: string,
  bytes: Uint8Array,
): Promise<HiveLogInput[] | undefined> {
  if (bytes.length < 512 || !isDirtyBaseBlock(bytes)) return undefined;
  const file = path.resolve(hiveFile);
  return readHiveLogs(path.dirname(file), file, READ_LIMITS.hiveLogBytes, "the hive's folder");
}
