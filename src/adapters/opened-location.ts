/**
 * Where a file opened by descriptor really lies, for the adapters that must not read outside an
 * image root: the location is read from the descriptor (`/proc/self/fd/N`, Linux), so a folder on
 * the way swapped for a link after the open cannot fool the check; where the platform has no such
 * link, from the path (`realpath`).
 *
 * Source: Linux proc(5), `/proc/pid/fd/` (https://man7.org/linux/man-pages/man5/proc.5.html).
 */
import { readlinkSync } from "node:fs";
import { realpath } from "node:fs/promises";
import path from "node:path";

/** Whether `child` is `parent` or lies under it (both absolute, resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * The real path of the file open at `fd` (opened as `hostPath`), or `undefined` when it cannot be
 * told (then the caller refuses the file).
 */
export async function openedLocation(fd: number, hostPath: string): Promise<string | undefined> {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return realpath(hostPath).catch(() => undefined);
  }
}
