// Which code bin/koff-doctor.js runs for a verb: its bundle in dist/bin/ (scripts/build-bin.ts,
// built by `npm run build` right after tsc), or the tsc output dist/src/cli/main.js when there is
// no bundle or the bundle is older than the tsc output (someone ran only `tsc` after editing
// src/). Both run the same command line; the bundle only starts faster. A full `tsc` rewrites
// every output, so after it the fallback is the code just compiled. `tsc --watch` rewrites only
// the files that changed, which this check cannot see: after it, run `npm run build`.
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The module to run for `verb` (the first argument), under the package root `root`.
 * @param {string | undefined} verb
 * @param {string} [root] the package root, with a trailing separator
 * @returns {{ kind: "bundle" | "tsc", file: string, exportName: "run" | "main" }}
 */
export function cliEntry(verb, root = ROOT) {
  const tsc = `${root}dist/src/cli/main.js`;
  const manifest = `${root}dist/bin/verbs.json`;
  const built = statSync(manifest, { throwIfNoEntry: false });
  const compiled = statSync(tsc, { throwIfNoEntry: false });
  if (built && (!compiled || built.mtimeMs >= compiled.mtimeMs)) {
    try {
      const { verbs } = JSON.parse(readFileSync(manifest, "utf8"));
      const file = verb !== undefined && Object.hasOwn(verbs, verb) ? verbs[verb] : verbs["*"];
      if (typeof file === "string" && /^[a-z-]+\.js$/.test(file))
        return { kind: "bundle", file: `${root}dist/bin/${file}`, exportName: "run" };
    } catch {
      // An unreadable manifest: run the tsc output.
    }
  }
  return { kind: "tsc", file: tsc, exportName: "main" };
}
