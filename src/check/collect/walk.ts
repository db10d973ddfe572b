/**
 * Bounded folder walks and path spelling over a snapshot's file system, shared by collectors.
 * Walks are capped in depth and entries, so a huge profile cannot stall a run.
 *
 * Source: Microsoft, "Naming Files, Paths, and Namespaces" (case-insensitive names, 8.3 aliases)
 * https://learn.microsoft.com/windows/win32/fileio/naming-a-file.
 */
import { READ_LIMITS } from "../../limits.js";
import { isWindowsPath, joinWindowsPath, normalizeWindowsPath } from "../../paths/windows-path.js";
import type { DirEntry, FileSystemPort } from "../../ports/file-system.js";
import type { Snapshot } from "../../ports/snapshot.js";

/** Entries listed per bounded walk (install folders, caches), so a huge profile cannot stall the run. */
export const MAX_WALK_ENTRIES = READ_LIMITS.checkWalkEntries;

/** What a walk may still do: list `left` more entries, until `signal` (the collector's) is aborted. */
export interface WalkBudget {
  left: number;
  readonly signal?: AbortSignal;
}

/**
 * Lists `dir` recursively to `depth`, calling `visit` on files; stops after `budget.left`
 * entries, or before its next port call once `budget.signal` is aborted.
 */
export async function walk(
  fs: FileSystemPort,
  dir: string,
  depth: number,
  budget: WalkBudget,
  visit: (path: string, entry: DirEntry) => void,
): Promise<void> {
  if (budget.signal?.aborted) return;
  const entries = await fs.list(dir);
  if (!entries) return;
  for (const e of entries) {
    if (--budget.left < 0 || budget.signal?.aborted) return;
    const full = joinWindowsPath(dir, e.name);
    if (e.kind === "file") visit(full, e);
    else if (depth > 0) await walk(fs, full, depth - 1, budget, visit);
  }
}

/** The stored-case spelling of a path known only by its lower-cased key; throws once `signal` is aborted. */
export async function canonicalCase(fs: FileSystemPort, key: string, signal?: AbortSignal): Promise<string> {
  const parts = key.split("\\");
  let cur = parts[0]!.toUpperCase();
  for (const part of parts.slice(1)) {
    signal?.throwIfAborted();
    const hit = ((await fs.list(cur === "C:" ? "C:\\" : cur)) ?? []).find(
      (e) => e.name.toLowerCase() === part,
    );
    cur = `${cur}\\${hit?.name ?? part}`;
  }
  return normalizeWindowsPath(cur);
}

/**
 * Live mode: the long, real path (8.3 short names such as PROGRA~2 would defeat folder
 * comparisons). Only a file system whose host paths are Windows paths, the machine's own, can
 * say; in other modes the path is returned as is.
 */
export async function canonicalPath(snapshot: Snapshot, p: string | undefined): Promise<string | undefined> {
  if (p === undefined || snapshot.mode !== "live") return p;
  const real = await snapshot.fs.hostPath?.(p);
  return real !== undefined && isWindowsPath(real) ? real : p;
}
