/**
 * File-system primitives with the durability the safety contract needs: fsync of files and of
 * the directories whose entries change, atomic renames, and hashing for quarantine manifests.
 * Host paths only (the runbook resolves Windows paths first).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, mkdir, open, readdir, rename, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { InputFileError } from "../util/input-file-error.js";
import { openRegularFile } from "../util/safe-file.js";
import { RunbookError } from "./errors.js";

/** fsync a directory so a rename or create inside it survives a crash (no-op where unsupported). */
export async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, "r").catch(() => undefined);
  if (!h) return;
  try {
    await h.sync().catch(() => undefined);
  } finally {
    await h.close();
  }
}

/** Creates `dir` and missing parents; returns the directories it created, outermost first. */
export async function mkdirp(dir: string): Promise<string[]> {
  const created: string[] = [];
  let cur = path.resolve(dir);
  const missing: string[] = [];
  while (!(await lstat(cur).catch(() => undefined))) {
    missing.unshift(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of missing) {
    await mkdir(d);
    await fsyncDir(path.dirname(d));
    created.push(d);
  }
  return created;
}

/** Atomic rename, made durable in both directories. */
export async function durableRename(from: string, to: string): Promise<void> {
  await rename(from, to);
  await fsyncDir(path.dirname(to));
  if (path.dirname(from) !== path.dirname(to)) await fsyncDir(path.dirname(from));
}

/**
 * Writes `data` to `file` durably: temp file, fsync, rename over, fsync the directory. The temp
 * file is created exclusively (`wx`), so a link planted under its name is never written through.
 */
export async function durableWrite(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await rm(tmp, { force: true }); // a leftover of a killed run with the same pid (a link is removed, not followed)
  const h = await open(tmp, "wx");
  try {
    await h.writeFile(data);
    await h.sync();
  } finally {
    await h.close();
  }
  await durableRename(tmp, file);
}

/**
 * A refusal of the runbook for a path inside the image or quarantine that is not a readable
 * regular file (a FIFO, device, folder, symlink loop, over its cap: src/util/safe-file.ts).
 */
export function refusedInput(e: InputFileError): RunbookError {
  return new RunbookError("refused-precondition", `${e.path}: ${e.code}: ${e.reason}`, {
    path: e.path,
    cause: e,
  });
}

/**
 * sha256 of a regular file, streamed. Opened as every user-named path is: a FIFO or device is
 * never read (it could block or never end).
 * @throws RunbookError `refused-precondition` when `file` is not a readable regular file.
 */
export async function sha256File(file: string): Promise<string> {
  let fd: number;
  try {
    ({ fd } = await openRegularFile(file, { maxBytes: Number.MAX_SAFE_INTEGER }));
  } catch (e) {
    throw e instanceof InputFileError ? refusedInput(e) : e;
  }
  const hash = createHash("sha256");
  for await (const chunk of createReadStream("", { fd })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export interface ManifestEntry {
  /** Path relative to the item (`""` for a single file). */
  path: string;
  /** Size in bytes. */
  size: number;
  sha256: string;
}

/** Lists every regular file under `item` (or `item` itself) with size and sha256. Symlinks are refused. */
export async function manifestOf(item: string): Promise<ManifestEntry[]> {
  const out: ManifestEntry[] = [];
  const walk = async (p: string, rel: string): Promise<void> => {
    const info = await lstat(p);
    if (info.isSymbolicLink()) throw new Error(`refusing to quarantine a symbolic link: ${p}`);
    if (info.isDirectory()) {
      for (const name of (await readdir(p)).sort())
        await walk(path.join(p, name), rel ? `${rel}/${name}` : name);
    } else if (info.isFile()) {
      out.push({ path: rel, size: info.size, sha256: await sha256File(p) });
    }
  };
  await walk(item, "");
  return out;
}

/** Removes each directory in `dirs` (innermost first) if it is empty; never removes anything else. */
export async function removeEmptyDirs(dirs: readonly string[]): Promise<void> {
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    const entries = await readdir(d).catch(() => undefined);
    if (entries && entries.length === 0) {
      await rmdir(d).catch(() => undefined);
      await fsyncDir(path.dirname(d));
    }
  }
}

/** Every directory strictly between `root` and `leaf` (inclusive of leaf). */
export function dirsBetween(root: string, leaf: string): string[] {
  const out: string[] = [];
  let cur = path.resolve(leaf);
  const top = path.resolve(root);
  const prefix = top.endsWith(path.sep) ? top : top + path.sep;
  while (cur.startsWith(prefix) && cur !== top) {
    out.push(cur);
    cur = path.dirname(cur);
  }
  return out;
}
