/**
 * Test helper: where the repository, the shared reference folder (/work/shared beside the repo)
 * and the PE fixtures are, and a recursive file walk. Tests that need `shared/` must skip when
 * {@link sharedDir} is undefined.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file runs from dist/test/pe/helpers/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

/** `<repo>/../shared`, or undefined when absent (a user's clone). */
export const sharedDir: string | undefined = (() => {
  const p = path.resolve(repoRoot, "..", "shared");
  return existsSync(p) ? p : undefined;
})();

/** `<repo>/fixtures/pe`. */
export const peFixturesDir = path.join(repoRoot, "fixtures", "pe");

/** Every regular file under `dir` (recursively, sorted), or [] when `dir` does not exist. */
export function walkFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const stack = [dir];
  const visited = new Set<string>();
  while (stack.length > 0) {
    const d = stack.pop()!;
    if (visited.has(d)) continue;
    visited.add(d);
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) stack.push(p);
      else if (st.isFile()) out.push(p);
    }
  }
  return out.sort();
}

/** Fixture files that may be PE images (skips READMEs, JSON manifests, scripts, sources). */
export function peFixtureFiles(): string[] {
  return walkFiles(peFixturesDir).filter(
    (p) =>
      !path.basename(p).startsWith(".") && !/\.(md|json|txt|sh|c|rc|def|h|py|ts|js|pem|cnf|key)$/i.test(p),
  );
}
