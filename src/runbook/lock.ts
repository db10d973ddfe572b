/**
 * One run at a time: a lock file holding its owner's pid and a random token. It is written in
 * full under a temporary name and `link()`ed into place, so a lock is never seen empty. A lock
 * whose owner no longer runs (killed, crashed) is stale: it is renamed away under a unique name
 * and checked before being discarded, so two processes taking over the same stale lock cannot
 * both win. Release removes the lock only while it is still ours.
 */
import { randomBytes } from "node:crypto";
import { link, rename, rm, writeFile } from "node:fs/promises";
import { READ_LIMITS } from "../limits.js";
import { readUserFile } from "../util/safe-file.js";
import { RunbookError } from "./errors.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface Lock {
  release(): Promise<void>;
}

/** Largest lock file read, in bytes (ours are about 150). */
const MAX_LOCK_BYTES = READ_LIMITS.runLockBytes;

/**
 * The lock's text, or `undefined` when absent or unreadable. A FIFO or device planted as the lock
 * is refused unread (a plain read of a FIFO blocks until a writer comes).
 */
const read = (file: string) =>
  readUserFile(file, { maxBytes: MAX_LOCK_BYTES }).then(
    (b) => new TextDecoder().decode(b),
    () => undefined,
  );

/**
 * Puts the lock in place with its content already written: `link()` where the file system has
 * hard links, else (FAT/exFAT) an exclusive create followed by the write. Throws EEXIST when held.
 */
async function placeLock(tmp: string, file: string, content: string): Promise<void> {
  try {
    await link(tmp, file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS") throw e;
    await writeFile(file, content, { flag: "wx", flush: true });
  }
}

/** @throws RunbookError `refused-concurrent` when a live process (or an unreadable lock) holds `file`. */
export async function acquireLock(file: string, what: string): Promise<Lock> {
  const token = randomBytes(8).toString("hex");
  const mine = JSON.stringify({ pid: process.pid, what, since: new Date().toISOString(), token });
  const tmp = `${file}.${token}`;
  await writeFile(tmp, mine, { flush: true });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await placeLock(tmp, file, mine);
        return {
          release: async () => {
            if ((await read(file)) === mine) await rm(file, { force: true });
          },
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      const seen = await read(file);
      if (seen === undefined) continue; // released meanwhile
      let owner: { pid?: unknown; what?: unknown } | undefined;
      try {
        owner = JSON.parse(seen) as { pid?: unknown; what?: unknown };
      } catch {
        owner = undefined;
      }
      if (typeof owner?.pid !== "number") {
        throw new RunbookError(
          "refused-concurrent",
          `the lock ${file} is unreadable; remove it if no koff-doctor run is active`,
          { path: file },
        );
      }
      if (alive(owner.pid)) {
        throw new RunbookError(
          "refused-concurrent",
          `another koff-doctor run (pid ${owner.pid}: ${String(owner.what)}) is in progress`,
          {
            path: file,
            evidence: owner,
          },
        );
      }
      // Stale: move it aside under a unique name, and make sure it was the stale one we judged.
      const grave = `${file}.stale-${token}`;
      const moved = await rename(file, grave).then(
        () => true,
        () => false,
      );
      if (!moved) continue;
      if ((await read(grave)) !== seen) await link(grave, file).catch(() => undefined); // a fresh lock: put it back
      await rm(grave, { force: true });
    }
    throw new RunbookError("refused-concurrent", `could not take the lock ${file}`, { path: file });
  } finally {
    await rm(tmp, { force: true });
  }
}
