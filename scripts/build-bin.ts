/**
 * The npm bin's bundles (part of `npm run build`): one ESM file per verb in dist/bin/, each the
 * command line (src/cli/main.ts `runCommandLine`) with that verb's registration only, plus
 * `all.js` (every verb: help, `--version`, unknown verbs), and dist/bin/verbs.json naming the
 * file of each verb. bin/koff-doctor.js loads the one its verb names (bin/cli-entry.js).
 *
 * Why one bundle per verb and not `--splitting`: esbuild ignores `"sideEffects": false` when it
 * splits code across several entry points (https://github.com/evanw/esbuild/pull/1110), and the
 * commands reach the library through its barrel (src/index.ts), so a split build put nearly the
 * whole library, ajv and iconv-lite into one chunk every verb loaded (1.7 MB). One entry point
 * per bundle keeps the tree-shaking of {@link sourcesWithoutSideEffects}; each process still
 * reads exactly one file. The price is disk space: shared code is repeated in each file.
 *
 * Dependencies are bundled too, except pg, pg-copy-streams and @electric-sql/pglite (`fleet`
 * imports them only when it opens a database, and pglite reads its WebAssembly files from
 * beside its own module) and iconv-lite's double-byte code-page tables ({@link iconvTablesOutside}).
 * They stay runtime dependencies, resolved from node_modules when first used.
 *
 * Usage: `npm run build` (tsc, then this), or `node dist/scripts/build-bin.js [OUT_DIR]`.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, rm, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BuildOptions, Plugin } from "esbuild";
import { cliBundleOptions, packageVersion, sourcesWithoutSideEffects } from "./esbuild-config.js";

/** The repository root (dist/scripts/ → ../..). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * Each verb's bundle: the command module under src/cli/commands/ and its registration export.
 * Keyed like src/cli/main.ts `VERBS` (test/scripts/build-bin.test.ts checks they agree).
 */
export const VERB_BUNDLES = {
  triage: { module: "triage", register: "registerTriageCommand" },
  check: { module: "check", register: "registerCheckCommand" },
  collect: { module: "collect", register: "registerCollectCommand" },
  repair: { module: "repair", register: "registerRepairCommands" },
  registry: { module: "registry", register: "registerRegistryCommand" },
  events: { module: "events", register: "registerEventsCommand" },
  explain: { module: "explain", register: "registerExplainCommand" },
  fleet: { module: "fleet", register: "registerFleetCommand" },
} as const;

/** Verbs served by another verb's bundle (`undo` is registered by `registerRepairCommands`). */
export const VERB_ALIASES: Record<string, keyof typeof VERB_BUNDLES> = { undo: "repair" };

/** dist/bin/verbs.json: the bundle file of each verb (`*` for anything else) and the sources it was built from. */
export interface BinManifest {
  verbs: Record<string, string>;
  /** {@link sourceFingerprint} of src/ at build time. */
  sources: string;
  version: string;
}

/** SHA-256 over every file under `root`/src (relative path and content, in path order): what the bundles were built from. */
export async function sourceFingerprint(root: string): Promise<string> {
  const src = path.join(root, "src");
  const files = (await readdir(src, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(src, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
  const hash = createHash("sha256");
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(await readFile(path.join(src, file)))
      .update("\0");
  return hash.digest("hex");
}

/**
 * iconv-lite `require()`s its double-byte code-page tables (932, 936, 949, 950: JSON, 0.2 MB,
 * 0.45 MB once bundled as JavaScript) only when such a code page is first decoded; bundled, they
 * would be parsed at every start. This keeps them where the installed iconv-lite has them,
 * `iconv-lite/encodings/tables/*.json`, required through the banner's `createRequire`.
 */
function iconvTablesOutside(): Plugin {
  return {
    name: "koff-iconv-tables-outside",
    setup(build) {
      build.onResolve({ filter: /^\.\/tables\/[\w-]+\.json$/ }, (args) =>
        /[\\/]iconv-lite[\\/]encodings$/.test(args.resolveDir)
          ? { path: `iconv-lite/encodings/tables/${args.path.slice("./tables/".length)}`, external: true }
          : undefined,
      );
    },
  };
}

/** The entry module of one bundle, as TypeScript resolved from src/cli/. */
function entrySource(bundle: keyof typeof VERB_BUNDLES | "all"): string {
  if (bundle === "all") return 'export { main as run } from "./main.js";\n';
  const { module, register } = VERB_BUNDLES[bundle];
  return [
    'import { runCommandLine } from "./main.js";',
    `import { ${register} } from "./commands/${module}.js";`,
    `export const run = (argv: string[]): Promise<number> => runCommandLine(argv, async () => [${register}]);`,
    "",
  ].join("\n");
}

/** The esbuild options of every bin bundle; callers add the entry point and the output file. */
export async function binBundleOptions(): Promise<BuildOptions> {
  return {
    ...cliBundleOptions(await packageVersion(REPO)),
    format: "esm",
    external: ["pg", "pg-copy-streams", "@electric-sql/pglite"],
    // CommonJS dependencies call require() for Node's built-ins; an ES module has no
    // require of its own (https://nodejs.org/api/module.html#modulecreaterequirefilename).
    banner: {
      js: 'import { createRequire as __koffCreateRequire } from "node:module";\nconst require = __koffCreateRequire(import.meta.url);',
    },
    plugins: [sourcesWithoutSideEffects(path.join(REPO, "src")), iconvTablesOutside()],
  };
}

/**
 * Builds every bundle into `outDir` (emptied first) and writes its verbs.json last, so the
 * manifest's time is the build's (bin/cli-entry.js compares it with the tsc output's).
 * @returns the manifest and each bundle's size in bytes.
 */
export async function buildBin(
  outDir = path.join(REPO, "dist", "bin"),
): Promise<{ manifest: BinManifest; bytes: Record<string, number> }> {
  const esbuild = await import("esbuild");
  const options = await binBundleOptions();
  const version = await packageVersion(REPO);
  const sources = await sourceFingerprint(REPO);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const bytes: Record<string, number> = {};
  const bundles = [...(Object.keys(VERB_BUNDLES) as Array<keyof typeof VERB_BUNDLES>), "all" as const];
  await Promise.all(
    bundles.map(async (bundle) => {
      const outfile = path.join(outDir, `${bundle}.js`);
      const result = await esbuild.build({
        stdin: {
          contents: entrySource(bundle),
          resolveDir: path.join(REPO, "src", "cli"),
          sourcefile: `bin-${bundle}.ts`,
          loader: "ts",
        },
        ...options,
        outfile,
        metafile: true,
      });
      bytes[bundle] = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
    }),
  );
  const verbs: Record<string, string> = { "*": "all.js" };
  for (const verb of Object.keys(VERB_BUNDLES)) verbs[verb] = `${verb}.js`;
  for (const [alias, verb] of Object.entries(VERB_ALIASES)) verbs[alias] = `${verb}.js`;
  const manifest: BinManifest = { verbs, sources, version };
  await writeFile(path.join(outDir, "verbs.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, bytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = path.resolve(process.argv[2] ?? path.join(REPO, "dist", "bin"));
  const { bytes } = await buildBin(out);
  const total = Object.values(bytes).reduce((a, b) => a + b, 0);
  console.log(
    `${path.relative(process.cwd(), out) || "."}: ${Object.keys(bytes).length} bundles, ${(total / 1e6).toFixed(1)} MB (${Object.entries(
      bytes,
    )
      .map(([b, n]) => `${b} ${(n / 1e3).toFixed(0)} kB`)
      .join(", ")})`,
  );
}
