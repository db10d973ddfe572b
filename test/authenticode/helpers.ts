/**
 * Shared helpers for the Authenticode tests: where the repository, the shared reference data and
 * the PE fixtures are, and how to load a file as bytes + parsed image. Paths are resolved from
 * this module's location (dist/test/authenticode/) so tests run from any working directory.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parsePe } from "../../src/pe/index.js";
import type { PeImage } from "../../src/pe/types.js";

/** Repository root (…/dist/test/authenticode → …). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
/** /work/shared in the development setup; absent in a user's clone. */
export const sharedDir = path.resolve(repoRoot, "..", "shared");
export const corpusDir = path.join(sharedDir, "corpus");
export const conformanceDir = path.join(sharedDir, "conformance");
export const fixturesPeDir = path.join(repoRoot, "fixtures", "pe");
export const fixturesPkiDir = path.join(repoRoot, "fixtures", "pki");

/** A skip message when `p` does not exist, else false. */
export function skipUnless(p: string, what: string): string | false {
  return existsSync(p) ? false : `${what} not found at ${p}; skipping`;
}

/** Reads a file and parses it as a PE (permissive mode). */
export function loadPe(file: string): { bytes: Uint8Array; pe: PeImage } {
  const bytes = new Uint8Array(readFileSync(file));
  return { bytes, pe: parsePe(bytes, { mode: "permissive" }) };
}

/** A `--trust` file's path and bytes, for `createTrustStore({ files })` (the store reads no files). */
export function trustFile(file: string): { path: string; bytes: Uint8Array } {
  return { path: file, bytes: new Uint8Array(readFileSync(file)) };
}

/** True when `tool` runs (`tool --version` or `-v` exits without ENOENT). */
export function hasTool(tool: string): boolean {
  try {
    execFileSync(tool, ["--version"], { stdio: "ignore" });
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ENOENT";
  }
}
