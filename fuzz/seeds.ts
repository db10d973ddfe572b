/**
 * Where the fuzz targets find their seeds (the repository's fixtures and examples, plus the
 * analyst's own corpora named by `KOFF_FUZZ_SEEDS`) and where they may write scratch files (a
 * per-run folder the runner creates and removes).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { threadId } from "node:worker_threads";
import { EXAMPLES, FIXTURES, REPO_ROOT } from "../test/helpers/repo.js";

export { EXAMPLES, FIXTURES, REPO_ROOT };

/**
 * Files under `dir` (recursively) whose name matches `pattern` (and that `accept`, when given,
 * takes by name and first 16 bytes), sorted, as bytes, duplicates and empty files removed.
 */
export function readSeedFiles(
  dir: string,
  pattern: RegExp,
  accept?: (name: string, head: Uint8Array) => boolean,
): Uint8Array[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && pattern.test(e.name)) found.push(p);
    }
  };
  walk(dir);
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const f of found.sort()) {
    const size = statSync(f).size;
    if (size === 0 || size > (accept === undefined ? 4 : 64) * 1024 * 1024) continue;
    const bytes = new Uint8Array(readFileSync(f));
    if (accept !== undefined && !accept(path.basename(f), bytes.subarray(0, 16))) continue;
    const key = Buffer.from(bytes).toString("base64");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(bytes);
  }
  return out;
}

/**
 * Files of the folders in `KOFF_FUZZ_SEEDS` (path-delimiter separated: corpora that must not be
 * committed, e.g. GPL-3 event logs, public test hives, hostile PE collections) that `accept`
 * takes by name or first bytes, each cut to `maxBytes`. None when the variable is unset, so the
 * seeds, and so every case, stay the same on every checkout.
 */
export function extraSeedFiles(
  accept: (name: string, head: Uint8Array) => boolean,
  maxBytes = 4 << 20,
): Uint8Array[] {
  const dirs = (process.env["KOFF_FUZZ_SEEDS"] ?? "").split(path.delimiter).filter((d) => d !== "");
  const out: Uint8Array[] = [];
  for (const dir of dirs) {
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const bytes of readSeedFiles(dir, /./, (name, head) => accept(name, head)))
      out.push(bytes.slice(0, maxBytes));
  }
  return out;
}

/** Whether `head` starts with the ASCII `magic`. */
export function startsWith(head: Uint8Array, magic: string): boolean {
  if (head.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[i] !== magic.charCodeAt(i)) return false;
  return true;
}

let ownScratch: string | undefined;

/** A scratch file path for this thread (same name every call: targets overwrite it per case). */
export function scratchFile(name: string): string {
  let dir = process.env["KOFF_FUZZ_TMP"];
  if (dir === undefined) {
    if (ownScratch === undefined) {
      ownScratch = mkdtempSync(path.join(tmpdir(), "koff-fuzz-"));
      const d = ownScratch;
      process.on("exit", () => rmSync(d, { recursive: true, force: true }));
    }
    dir = ownScratch;
  }
  return path.join(dir, `${process.pid}-${threadTag()}-${name}`);
}

/** Writes `bytes` to the scratch file `name` and returns its path. */
export function writeScratch(name: string, bytes: Uint8Array): string {
  const file = scratchFile(name);
  writeFileSync(file, bytes);
  return file;
}

/** Worker threads share the pid; their thread ids differ. */
function threadTag(): string {
  return String(threadId);
}
