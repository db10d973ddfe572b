/**
 * What the two bundles of the CLI share (esbuild, https://esbuild.github.io/api/): the npm bin's
 * per-verb ESM bundles (scripts/build-bin.ts) and koff-doctor.exe's CommonJS bundle
 * (scripts/build-exe.ts). Both are Node 20 code with the package version stamped in as
 * `KOFF_DOCTOR_VERSION` (src/version.ts), so neither reads package.json at start-up.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { BuildOptions, Plugin } from "esbuild";

/** The package version of the repository at `root`. */
export async function packageVersion(root: string): Promise<string> {
  return (JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as { version: string }).version;
}

/** The options every CLI bundle uses; callers add entry points, format, output and their own defines. */
export function cliBundleOptions(version: string): BuildOptions {
  return {
    bundle: true,
    platform: "node",
    target: "node20",
    define: { KOFF_DOCTOR_VERSION: JSON.stringify(version) },
    // version.ts reads import.meta.url only when the define above is absent.
    logOverride: { "empty-import-meta": "silent" },
    logLevel: "warning",
    legalComments: "none",
  };
}

/**
 * Marks every file under `srcDir` as free of import-time side effects (what package.json
 * `"sideEffects": false` says for a whole package, https://esbuild.github.io/api/#ignore-annotations):
 * esbuild then drops a module none of whose exports the bundle uses, even when its top level
 * calls something (`new Set(...)`, a CommonJS `require`). The CLI reaches the library through
 * its barrel (src/index.ts); without this, every verb's bundle would carry every module the
 * barrel names. True of src/: no module there is imported for its side effects alone
 * (test/scripts/build-bin.test.ts checks there is no bare `import "./x.js"`).
 * Dependencies in node_modules keep their own `sideEffects` answer.
 */
export function sourcesWithoutSideEffects(srcDir: string): Plugin {
  const inside = path.resolve(srcDir) + path.sep;
  return {
    name: "koff-sources-without-side-effects",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, async (args) => {
        if (args.pluginData === "koff-inner") return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: "koff-inner",
        });
        // Anything else resolves as esbuild would have without this plugin.
        if (resolved.errors.length > 0 || !resolved.path.startsWith(inside)) return undefined;
        return { path: resolved.path, sideEffects: false };
      });
    },
  };
}
