/**
 * Option parsers shared by verbs (`--at`, `--trust`), turning bad values into usage errors.
 */
import { readdir, stat, writeFile } from "node:fs/promises";
import { InvalidArgumentError } from "commander";
import { UsageError } from "./usage-error.js";

/** `--at ISO-8601` → Date. */
export function parseAt(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError(`not an ISO-8601 time: ${value}`);
  return d;
}

/** Repeatable option collector. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Top-level folders of a Windows system volume; an `--image` root must hold at least one. */
const VOLUME_FOLDERS = ["windows", "users", "program files", "program files (x86)", "documents and settings"];

/**
 * `--image DIR` must be the root of a Windows system volume (it holds `Windows/` or `Users/`, any
 * letter case). A wrong root would otherwise read as "nothing installed".
 * @throws UsageError naming what is wrong.
 */
export async function checkImageRoot(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`--image ${dir}: not a directory`);
  const names = (await readdir(dir).catch(() => [] as string[])).map((n) => n.toLowerCase());
  if (!VOLUME_FOLDERS.some((f) => names.includes(f))) {
    throw new UsageError(
      `--image ${dir}: not the root of a Windows system volume (no Windows, Users or Program Files folder)`,
    );
  }
}

/** Writes a report file the user asked for (`--html FILE`); a path that cannot be written is a usage error. */
export async function writeReport(file: string, content: string): Promise<void> {
  await writeFile(file, content).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot write ${file}: ${e.code ?? e.message}`);
  });
}
