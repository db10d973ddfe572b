/**
 * Where the fuzz targets find their seeds (the repository's fixtures and examples) and where
 * they may write scratch files (a per-run folder the runner creates and removes).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { threadId } from "node:worker_threads";
import { EXAMPLES, FIXTURES, REPO_ROOT } from "../test/helpers/repo.js";

export { EXAMPLES, FIXTURES, REPO_ROOT };

/** Files under `dir` (recursively) whose name matches `pattern`, sorted, as bytes, duplicates removed. */
export function readSeedFiles(dir: string, pattern: RegExp): Uint8Array[] {
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
    if (statSync(f).size > 4 * 1024 * 1024) continue;
    const bytes = new Uint8Array(readFileSync(f));
    const key = Buffer.from(bytes).toString("base64");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(bytes);
  }
  return out;
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
