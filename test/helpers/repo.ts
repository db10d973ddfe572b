/**
 * Paths shared by tests: the repository root (tests run from dist/test/…), the examples, the
 * fixtures, and `../shared` (present in CI, absent in a user's clone: tests that need it skip).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root: dist/test/helpers/ → ../../.. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const EXAMPLES = path.join(REPO_ROOT, "examples");
export const FIXTURES = path.join(REPO_ROOT, "fixtures");
export const SHARED = path.resolve(REPO_ROOT, "..", "shared");

/** Skip reason when ../shared/<sub> is missing, else false. */
export function sharedSkip(sub: string): string | false {
  return existsSync(path.join(SHARED, sub))
    ? false
    : `../shared/${sub} is absent (a user's clone does not have it; CI does)`;
}
