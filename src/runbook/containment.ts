/**
 * Containment of the paths a run acts on. A journal comes from a state folder an attacker may
 * have edited, and an image from a PC an attacker may have controlled, so every path a journal
 * names is checked twice before anything is done with it:
 *
 * 1. Lexically: an absolute, canonical string (no `.`/`..` segments, no doubled or trailing
 *    separators, no NUL, no Windows-style path on POSIX) strictly under the expected root.
 *    Anything else means the journal was edited or damaged: `journal-corrupt`.
 * 2. Physically: the real path of its deepest existing ancestor (the path itself when it exists)
 *    joined with the missing rest must lie strictly under the root's real path. A symbolic link
 *    (or junction) anywhere on the way that leads out, or leads nowhere, is refused, never
 *    followed: `refused-symlink`.
 *
 * Paths are canonical because the kernel resolves `link/..` through the link while `path.resolve`
 * removes it lexically; refusing them keeps the check and the file system in agreement.
 *
 * This judges the disk as it is when called; the engine calls it for every path of an operation
 * right before the operation runs. Source: docs/runbook.md ("Trust: a journal or an image cannot
 * lead repair or undo outside"); path_resolution(7)
 * (https://man7.org/linux/man-pages/man7/path_resolution.7.html).
 */
import { lstat, realpath } from "node:fs/promises";
import path from "node:path";
import { RunbookError } from "./errors.js";

/** A root the run may act under, with its real path resolved once. */
export interface ContainmentRoot {
  /** The root as the run names it (canonical, absolute). */
  path: string;
  /** Its real path (symbolic links resolved), or `path` while it does not exist yet. */
  real: string;
  /** In plain words, for messages: "the image", "the quarantine". */
  name: string;
}

/** Builds a {@link ContainmentRoot}; `dir` need not exist yet (its deepest existing ancestor is resolved). */
export async function containmentRoot(dir: string, name: string): Promise<ContainmentRoot> {
  const p = path.resolve(dir);
  return { path: p, real: await realPathOfDeepest(p), name };
}

/** True when `child` lies strictly under `parent` (both canonical absolute paths). */
export function isStrictlyUnder(child: string, parent: string): boolean {
  const prefix = parent.endsWith(path.sep) ? parent : parent + path.sep;
  return child !== parent && child.startsWith(prefix);
}

/** True when `p` is a string this tool could have written as a host path: absolute and canonical. */
export function isCanonicalPath(p: unknown): p is string {
  return (
    typeof p === "string" && p.length > 0 && !p.includes("\0") && path.isAbsolute(p) && path.resolve(p) === p
  );
}

/**
 * The real path of `p`: the real path of its deepest existing ancestor (found with `lstat`, so a
 * dangling link counts as existing) joined with the components that do not exist yet.
 * @throws RunbookError `refused-symlink` for a link that leads nowhere or loops; `io` otherwise.
 */
export async function realPathOfDeepest(p: string): Promise<string> {
  let cur = path.resolve(p);
  const missing: string[] = [];
  // Terminates: each pass moves one component up, and the root's parent is itself.
  for (;;) {
    const found = await lstat(cur).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT" || e.code === "ENOTDIR") return false;
        throw new RunbookError("io", `cannot inspect ${cur}: ${e.message}`, { path: cur, cause: e });
      },
    );
    const parent = path.dirname(cur);
    if (found || parent === cur) break;
    missing.unshift(path.basename(cur));
    cur = parent;
  }
  try {
    return path.join(await realpath(cur), ...missing);
  } catch (cause) {
    throw new RunbookError(
      "refused-symlink",
      `${cur} is a symbolic link that leads nowhere (or loops); not following it`,
      {
        path: cur,
        cause,
      },
    );
  }
}

/**
 * Checks that `p` lies strictly under `root`, lexically and after resolving links (see module
 * header). `what` names the path in messages (e.g. "operation 0's source").
 * @returns `p`, now known to be a string.
 * @throws RunbookError `journal-corrupt` (not canonical, or lexically outside) or `refused-symlink`.
 */
export async function assertContained(p: unknown, root: ContainmentRoot, what: string): Promise<string> {
  if (!isCanonicalPath(p)) {
    throw new RunbookError(
      "journal-corrupt",
      `${what} ${JSON.stringify(p)} is not an absolute canonical path; the journal was edited or damaged`,
    );
  }
  if (!isStrictlyUnder(p, root.path)) {
    throw new RunbookError(
      "journal-corrupt",
      `${what} ${p} lies outside ${root.name} (${root.path}); not acting on it`,
      {
        path: p,
      },
    );
  }
  const real = await realPathOfDeepest(p);
  if (!isStrictlyUnder(real, root.real)) {
    throw new RunbookError(
      "refused-symlink",
      `${what} ${p} resolves to ${real}, outside ${root.name} (${root.real}): a symbolic link leads out; not following it`,
      { path: p, evidence: { resolved: real, root: root.real } },
    );
  }
  return p;
}
