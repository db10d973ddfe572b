/**
 * The transaction logs of a hive file in an image: `<hive>.LOG1` and `<hive>.LOG2` in the hive's
 * folder (`SOFTWARE.LOG1` beside `Windows/System32/config/SOFTWARE`, `NTUSER.DAT.LOG1` beside
 * `NTUSER.DAT`), matched case-insensitively (an exact-case name wins), read whole under a cap.
 * A log is refused, with the {@link InputFileError} code as its problem, when it is a link leading
 * out of the image (`outside-root`), a folder (`is-a-directory`), a FIFO, device or socket
 * (`not-a-file`, never opened), or larger than the cap (`too-large`); a missing log is `not-found`.
 * A refused log is simply not replayed: the hive stays as it is on disk.
 *
 * Source: M. Suhanov, "Windows registry file format specification", section "Types of files"
 * (https://github.com/msuhanov/regf/blob/master/Windows%20registry%20file%20format%20specification.md);
 * src/adapters/image/image-path.ts (the image root rule).
 */
import { readdir, realpath } from "node:fs/promises";
import path from "node:path";
import type { HiveLogInput } from "../../registry/hive/replay-logs.js";
import { InputFileError } from "../../util/input-file-error.js";
import { readUserFile } from "../../util/safe-file.js";

/** The log suffixes of the dual-logging scheme, in the order they are given to the replay. */
export const HIVE_LOG_SUFFIXES = [".LOG1", ".LOG2"] as const;

/**
 * The logs of the hive at host path `hiveFile` (a real path inside `imageRoot`), each as its bytes
 * or as the reason it was not read.
 * @param maxLogBytes - largest log read, in bytes.
 */
export async function readHiveLogs(
  imageRoot: string,
  hiveFile: string,
  maxLogBytes: number,
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
      out.push({ name, bytes: await readLog(realRoot, path.join(dir, name), maxLogBytes) });
    } catch (e) {
      if (!(e instanceof InputFileError)) throw e;
      out.push({ name, problem: { code: e.code, message: e.reason } });
    }
  }
  return out;
}

/**
 * The bytes of log `file`, following a link only while it stays inside `realRoot`.
 * @throws InputFileError `outside-root`, and the codes of {@link readUserFile}.
 */
async function readLog(realRoot: string, file: string, maxLogBytes: number): Promise<Uint8Array> {
  const real = await realpath(file).catch(() => undefined);
  if (real !== undefined && real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw new InputFileError("outside-root", file, "a symbolic link leading out of the image; not read", {
      kind: "symlink",
    });
  }
  return readUserFile(real ?? file, { maxBytes: maxLogBytes });
}
