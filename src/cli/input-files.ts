/**
 * Expands the PATH arguments of `triage` into files. A regular file (or a symbolic link to one)
 * is taken as is; a directory needs `--recursive`, which walks it for PE files: by content (the
 * `MZ` and `PE\0\0` signatures, src/pe/signature-sniff.ts), so a renamed DLL is found, or with
 * `--ext` by extension only. Sniffing reads at most the first KiB (or up to `e_lfanew` + 4) of a
 * regular file, through the same safe open (O_NONBLOCK, then `fstat`); anything else is judged by
 * `stat`/`lstat` only. A symbolic link is never sniffed (its target may lie outside the tree):
 * it is taken when named like a PE file, as with `--ext`.
 *
 * Refused, each with its {@link InputFileErrorCode} (docs/exit-codes.md "Inputs that are not files"):
 * a directory without `-r` (`is-a-directory`), a FIFO, device or socket (`not-a-file`), a symlink
 * loop (`symlink-loop`), a dangling link (`dangling-symlink`), a missing path (`not-found`).
 * In a walk, entries with a PE extension that are not regular files are reported with the same
 * codes and never opened; symbolic links to directories are not followed, a visited set guards
 * against bind-mount loops, and the walk stops after {@link READ_LIMITS}.walkFiles files.
 * A link to a file is listed here whatever its target; with `--image DIR`, the host-files port
 * refuses one whose real location lies outside DIR when it comes to read it (`outside-root`,
 * src/adapters/host/host-file-system.ts), for walked and named paths alike.
 *
 * Also the read of a single file argument (`registry export HIVE`), through the same safe reader.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { READ_LIMITS } from "../limits.js";
import { PE_SNIFF_BYTES, sniffPe } from "../pe/index.js";
import { InputFileError, type InputFileErrorCode } from "../util/input-file-error.js";
import { describeKind, fileKind, inspectPath, readUserFile, readUserFileHead } from "../util/safe-file.js";

/** Extensions of PE images picked from directories (explicit file arguments are always taken). */
const PE_EXTENSIONS = new Set([
  ".dll",
  ".exe",
  ".sys",
  ".efi",
  ".ocx",
  ".cpl",
  ".drv",
  ".scr",
  ".mui",
  ".signed",
]);

/** Most files one invocation walks (bounded memory for a mistaken `--recursive /`). */
export const MAX_INPUT_FILES = READ_LIMITS.walkFiles;

/** Why an argument or walked entry is not triaged. */
export type InputProblemCode = InputFileErrorCode | "too-many-files";

export interface InputFile {
  path: string;
  /** Set when the argument could not be used; the file is then never opened. */
  problem?: { code: InputProblemCode; message: string };
}

/** The problem record for a refused path. */
function problem(p: string, e: unknown): InputFile {
  if (e instanceof InputFileError) return { path: p, problem: { code: e.code, message: e.reason } };
  return { path: p, problem: { code: "unreadable", message: (e as Error).message } };
}

/** Whether the regular file at `file` starts like a PE image; `undefined` when it cannot be read. */
async function startsLikePe(file: string): Promise<boolean | undefined> {
  try {
    let head = await readUserFileHead(file, PE_SNIFF_BYTES);
    let said = sniffPe(head);
    if (typeof said === "object") {
      head = await readUserFileHead(file, said.need);
      said = sniffPe(head);
    }
    return said === "pe";
  } catch {
    return undefined;
  }
}

/**
 * How a walk picks files: PE files by their first bytes (default), PE files by extension (`--ext`),
 * or any file whose lower-case extension (with its dot) is in the set (`fleet ingest`).
 */
export type WalkSelection = "content" | "extension" | ReadonlySet<string>;

/**
 * The files to triage for `args`, in argument order (entries of a walked directory sorted by name,
 * those `select` picks: PE files by content by default).
 * Never throws: each unusable argument or walked entry becomes an {@link InputFile} with `problem`.
 * @param select - how a walk picks files; a file named on the command line is always taken.
 */
export async function expandInputs(
  args: string[],
  recursive: boolean,
  select: WalkSelection = "content",
): Promise<InputFile[]> {
  const out: InputFile[] = [];
  const visited = new Set<string>();

  async function walk(dir: string): Promise<void> {
    // A folder is known by its device and inode: `realpath` of every folder cost O(depth²) per
    // call (one lstat per component), so a 1500-deep tree took a minute.
    const info = await stat(dir).catch(() => undefined);
    const key = info ? `${info.dev}:${info.ino}` : `path:${dir}`;
    if (visited.has(key)) return;
    visited.add(key);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      out.push(problem(dir, e));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (out.length >= MAX_INPUT_FILES) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(full);
        continue;
      }
      const named = path.extname(entry.name).toLowerCase();
      const namedLikePe = typeof select === "string" ? PE_EXTENSIONS.has(named) : select.has(named);
      if (entry.isFile()) {
        // A regular file that cannot be sniffed is taken when named like a PE file: its read
        // then reports why (permission-denied, …) in its record.
        const take = select === "content" ? ((await startsLikePe(full)) ?? namedLikePe) : namedLikePe;
        if (take) out.push({ path: full });
        continue;
      }
      if (!namedLikePe) continue;
      if (entry.isSymbolicLink()) {
        // A link to a file is taken (with --image, the port refuses one leading out of the
        // image: outside-root); a link to a folder is not followed (a tree stays a tree); a loop
        // or a dangling link is reported.
        try {
          const { kind } = await inspectPath(full);
          if (kind === "file") out.push({ path: full });
          else if (kind !== "directory")
            out.push({
              path: full,
              problem: {
                code: "not-a-file",
                message: `a symbolic link to ${describeKind(kind)}; not read`,
              },
            });
        } catch (e) {
          out.push(problem(full, e));
        }
      } else {
        const kind = fileKind(entry);
        out.push({
          path: full,
          problem: { code: "not-a-file", message: `${describeKind(kind)}, not a regular file; not read` },
        });
      }
    }
  }

  for (const arg of args) {
    try {
      const { kind } = await inspectPath(arg);
      if (kind === "file") out.push({ path: arg });
      else if (kind === "directory") {
        if (recursive) await walk(arg);
        else
          out.push({
            path: arg,
            problem: {
              code: "is-a-directory",
              message: "a directory; give -r (--recursive) to triage the PE files under it",
            },
          });
      } else
        out.push({
          path: arg,
          problem: { code: "not-a-file", message: `${describeKind(kind)}, not a regular file; not read` },
        });
    } catch (e) {
      out.push(problem(arg, e));
    }
    if (out.length >= MAX_INPUT_FILES) {
      out.push({
        path: arg,
        problem: { code: "too-many-files", message: `stopped after ${MAX_INPUT_FILES} files` },
      });
      break;
    }
  }
  return out;
}

/**
 * The bytes of a hive file argument: a regular file (or a link to one) of at most
 * {@link READ_LIMITS}.hiveFileBytes; a FIFO, device, folder or symlink loop is refused unopened.
 * @throws InputFileError naming the path and the code.
 */
export function readHiveArgument(file: string): Promise<Uint8Array> {
  return readUserFile(file, { maxBytes: READ_LIMITS.hiveFileBytes });
}
