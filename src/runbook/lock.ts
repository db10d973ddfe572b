/**
 * One run at a time: an exclusive lock file (`open(…, "wx")`) holding the owner's pid. A lock
 * whose owner no longer runs (killed, crashed) is stale and taken over; a live owner refuses.
 */
import { open, readFile, rm } from "node:fs/promises";
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

/** @throws RunbookError `refused-concurrent` when a live process holds `file`. */
export async function acquireLock(file: string, what: string): Promise<Lock> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const h = await open(file, "wx").catch((e: NodeJS.ErrnoException) => {
      if (e.code === "EEXIST") return undefined;
      throw e;
    });
    if (h) {
      await h.writeFile(JSON.stringify({ pid: process.pid, what, since: new Date().toISOString() }));
      await h.sync();
      await h.close();
      return { release: () => rm(file, { force: true }) };
    }
    const owner = await readFile(file, "utf8")
      .then((t) => JSON.parse(t) as { pid: number; what: string })
      .catch(() => undefined);
    if (owner && owner.pid !== process.pid && alive(owner.pid)) {
      throw new RunbookError(
        "refused-concurrent",
        `another koff-doctor run (pid ${owner.pid}: ${owner.what}) is in progress`,
        {
          path: file,
          evidence: owner,
        },
      );
    }
    await rm(file, { force: true }); // stale: its owner is gone
  }
  throw new RunbookError("refused-concurrent", `could not take the lock ${file}`, { path: file });
}
