/**
 * The docs/ pages that ship in the package (package.json `files`), found from this module's own
 * place so `explain` works from a clone's dist/, from an installed tarball
 * (node_modules/koff-doctor/dist/src/cli/docs/) and from a global install alike: the package root
 * is the nearest folder above that holds koff-doctor's package.json.
 *
 * Source: https://docs.npmjs.com/cli/v10/configuring-npm/package-json#files.
 */
import { readdir, readFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** How many folders up from this module the package root may be (dist/src/cli/docs → root is 4). */
const MAX_LEVELS = 8;

/** The docs pages scripts/build-exe.ts stamps into the single executable (keyed as {@link readPackageDocs} keys them). */
declare const KOFF_DOCTOR_DOCS: Record<string, string> | undefined;

/**
 * The docs carried inside a bundled build (koff-doctor.exe), which has no package folder beside
 * it; undefined in the tsc build, which reads them from the package with {@link readPackageDocs}.
 */
export function bundledDocs(): Map<string, string> | undefined {
  return typeof KOFF_DOCTOR_DOCS === "object" && KOFF_DOCTOR_DOCS !== null
    ? new Map(Object.entries(KOFF_DOCTOR_DOCS))
    : undefined;
}

/**
 * The root of the koff-doctor package this module belongs to, or undefined when none is found.
 * @param from - a folder to start from; default this module's folder.
 */
export function packageRoot(from = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < MAX_LEVELS; i++) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: unknown }).name === "koff-doctor") return dir;
      } catch {
        // Not a readable package.json: keep going up.
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/**
 * Every Markdown page of `root`/docs and docs/checks, keyed by its path relative to docs/ with
 * `/` separators (`runbook.md`, `checks/cache-db-invalid.md`), in name order.
 */
export async function readPackageDocs(root: string): Promise<Map<string, string>> {
  const docs = path.join(root, "docs");
  const pages = new Map<string, string>();
  for (const sub of ["", "checks"]) {
    const names = await readdir(path.join(docs, sub)).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith(".md")).sort())
      pages.set(sub ? `${sub}/${name}` : name, await readFile(path.join(docs, sub, name), "utf8"));
  }
  return pages;
}
