/**
 * The npm bin's bundles (part of `npm run build`): one CommonJS file per verb in dist/bin/, each
 * the command line (src/cli/main.ts `runCommandLine`) with that verb's registration only, plus
 * `all.cjs` (every verb: help, `--version`, unknown verbs), and dist/bin/verbs.json naming the
 * file of each verb. bin/koff-doctor.cjs loads the one its verb names (bin/cli-entry.cjs).
 *
 * Beside each bundle, `<verb>.cache`: V8's code cache of it (`vm.Script#createCachedData`,
 * https://nodejs.org/docs/latest-v20.x/api/vm.html#scriptcreatecacheddata), made after the
 * bundle's top level has run and, for `triage` and `check`, after a run over the healthy sample
 * ({@link TRAINING_RUNS}), so it holds the code those compiled. With it V8 deserializes instead
 * of parsing and compiling. Why CommonJS: Node 20 takes cached data only for `vm.Script`
 * (a function-wrapped CommonJS file), not for ES modules (`module.enableCompileCache` is
 * Node 22). bin/cli-entry.cjs checks the cache belongs to the bundle and is intact before V8 sees
 * it, and ignores it otherwise. Whitespace and comments are stripped (`minifyWhitespace`) so the
 * files are ASCII, which V8 reads as one-byte strings: 28 % smaller, quicker to read and hash;
 * names are kept for stack traces.
 *
 * Why one bundle per verb and not `--splitting`: esbuild ignores `"sideEffects": false` when it
 * splits code across several entry points (https://github.com/evanw/esbuild/pull/1110), and the
 * commands reach the library through its barrel (src/index.ts), so a split build put nearly the
 * whole library, ajv and iconv-lite into one chunk every verb loaded (1.7 MB). One entry point
 * per bundle keeps the tree-shaking of {@link sourcesWithoutSideEffects}; each process still
 * reads exactly one file. The price is disk space: shared code is repeated in each file.
 *
 * Dependencies are bundled too, except pg and @electric-sql/pglite (`fleet`
 * imports them only when it opens a database, and pglite reads its WebAssembly files from
 * beside its own module) and iconv-lite's double-byte code-page tables ({@link iconvTablesOutside}).
 * They stay runtime dependencies, resolved from node_modules when first used.
 *
 * Usage: `npm run build` (tsc, then this), or `node dist/scripts/build-bin.js [OUT_DIR]`.
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile, rm, mkdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BuildOptions, Plugin } from "esbuild";
import type * as vm from "node:vm";
import { cliBundleOptions, packageVersion, sourcesWithoutSideEffects } from "./esbuild-config.js";

/** The repository root (dist/scripts/ → ../..). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const HEALTHY = path.join(REPO, "examples", "healthy");
const HEALTHY_PROVIDER = path.join(
  HEALTHY,
  "Program Files (x86)",
  "Kerio",
  "Outlook Connector (Offline Edition)",
  "kofmsp32.dll",
);

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

/**
 * commander `require`s node:child_process at load (https://github.com/tj/commander.js, lib/command.js)
 * only to `spawn` executable subcommands, which koff-doctor does not have; child_process brings
 * net and dgram with it. This gives commander a `spawn` that loads child_process when first called.
 */
function commanderChildProcessOnDemand(): Plugin {
  return {
    name: "koff-commander-child-process-on-demand",
    setup(build) {
      build.onResolve({ filter: /^node:child_process$/ }, (args) =>
        /[\\/]commander[\\/]lib[\\/]command\.js$/.test(args.importer)
          ? { path: "child-process-on-demand", namespace: "koff-commander" }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: "koff-commander" }, () => ({
        contents: 'exports.spawn = (...args) => require("node:child_process").spawn(...args);\n',
        loader: "js",
      }));
    },
  };
}

/** The entry module of one bundle, as TypeScript resolved from src/cli/. */
function entrySource(bundle: keyof typeof VERB_BUNDLES | "all"): string {
  // A `triage -r --jobs N` worker thread loads the bundle its main thread runs and calls this
  // (src/app/triage-pool.ts `workerEntry`).
  const worker = 'export { runTriageWorker } from "../app/triage-worker.js";';
  if (bundle === "all") return `export { main as run } from "./main.js";\n${worker}\n`;
  const { module, register } = VERB_BUNDLES[bundle];
  return [
    'import { runCommandLine } from "./main.js";',
    `import { ${register} } from "./commands/${module}.js";`,
    `export const run = (argv: string[]): Promise<number> => runCommandLine(argv, async () => [${register}]);`,
    ...(bundle === "triage" ? [worker] : []),
    "",
  ].join("\n");
}

/** The esbuild options of every bin bundle; callers add the entry point and the output file. */
export async function binBundleOptions(): Promise<BuildOptions> {
  const common = cliBundleOptions(await packageVersion(REPO));
  const { WRAPPER_HEAD, WRAPPER_TAIL } = await cliEntryModule();
  return {
    ...common,
    format: "cjs",
    minifyWhitespace: true,
    external: ["pg", "@electric-sql/pglite"],
    // `import("pg")` becomes `require("pg")`: an `import()` inside a vm.Script needs
    // `importModuleDynamically`, which Node 20 calls experimental and drops for code that comes
    // from a code cache. pg and pglite both have a CommonJS entry point.
    supported: { "dynamic-import": false },
    // A few modules find the package's files from their own URL (schemas/, docs/); in the bundle
    // that is the bundle's URL, as it was when the bundles were ES modules.
    // Workers of `triage --jobs` start from the bundle (src/app/triage-pool.ts `workerEntry`).
    define: {
      ...common.define,
      "import.meta.url": "__koffImportMetaUrl",
      KOFF_TRIAGE_WORKER: JSON.stringify("bin-bundle"),
    },
    // Inside the function wrapper bin/cli-entry.cjs compiles it in, so that it is compiled as read.
    banner: {
      js: `${WRAPPER_HEAD}var __koffImportMetaUrl=require("node:url").pathToFileURL(__filename).href;`,
    },
    footer: { js: WRAPPER_TAIL },
    plugins: [
      sourcesWithoutSideEffects(path.join(REPO, "src")),
      iconvTablesOutside(),
      commanderChildProcessOnDemand(),
    ],
  };
}

/**
 * Builds every bundle into `outDir` (emptied first) and writes its verbs.json last, so the
 * manifest's time is the build's (bin/cli-entry.cjs compares it with the tsc output's).
 * @returns the manifest, and each bundle's size and its code cache's size in bytes.
 */
export async function buildBin(
  outDir = path.join(REPO, "dist", "bin"),
): Promise<{ manifest: BinManifest; bytes: Record<string, number>; cacheBytes: Record<string, number> }> {
  const esbuild = await import("esbuild");
  const options = await binBundleOptions();
  const version = await packageVersion(REPO);
  const sources = await sourceFingerprint(REPO);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const bytes: Record<string, number> = {};
  const cacheBytes: Record<string, number> = {};
  const bundles = [...(Object.keys(VERB_BUNDLES) as Array<keyof typeof VERB_BUNDLES>), "all" as const];
  await Promise.all(
    bundles.map(async (bundle) => {
      const outfile = path.join(outDir, `${bundle}.cjs`);
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
      cacheBytes[bundle] = await writeCodeCache(
        outfile,
        bundle === "all" ? undefined : TRAINING_RUNS[bundle],
      );
    }),
  );
  const verbs: Record<string, string> = { "*": "all.cjs" };
  for (const verb of Object.keys(VERB_BUNDLES)) verbs[verb] = `${verb}.cjs`;
  for (const [alias, verb] of Object.entries(VERB_ALIASES)) verbs[alias] = `${verb}.cjs`;
  const manifest: BinManifest = { verbs, sources, version };
  await writeFile(path.join(outDir, "verbs.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, bytes, cacheBytes };
}

/** bin/cli-entry.cjs: plain JavaScript outside the TypeScript project, loaded by path. */
interface CliEntryModule {
  WRAPPER_HEAD: string;
  WRAPPER_TAIL: string;
  loadBundle(file: string): { exports: Record<string, unknown>; script: vm.Script; cache: string };
  codeCacheFile(bundle: string): string;
  codeCacheEnvelope(bundleBytes: Buffer, payload: Buffer): Buffer;
}

/**
 * The command each bundle runs once at build time before its code cache is taken, so that the
 * cache also holds the functions that command compiled (Authenticode, the hive and event-log
 * readers), not only the bundle's top level: read-only runs over the repository's healthy sample.
 * Without one (other verbs), or when the sample is missing, the cache holds the top level only.
 */
export const TRAINING_RUNS: Partial<Record<keyof typeof VERB_BUNDLES, { args: string[]; needs: string }>> = {
  triage: { args: ["triage", HEALTHY_PROVIDER], needs: HEALTHY_PROVIDER },
  check: { args: ["check", "--image", HEALTHY], needs: HEALTHY },
};

/**
 * Writes the V8 code cache of the bundle `file` beside it ({@link CliEntryModule.codeCacheFile}),
 * loaded as the bin loads it, after its top level ran and, given `training`, after that command
 * ran to the end in a child process (its output discarded). Only this Node version, with these
 * V8 flags, accepts the cache; any other refuses it and compiles the bundle from source.
 * @returns the cache file's size in bytes.
 */
export async function writeCodeCache(
  file: string,
  training?: { args: string[]; needs: string },
): Promise<number> {
  const entry = await cliEntryModule();
  if (training && existsSync(training.needs)) {
    const child = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), "--code-cache", file, ...training.args],
      {
        stdio: ["ignore", "ignore", "pipe"],
        encoding: "utf8",
        timeout: 300_000,
      },
    );
    if (child.status === 0) return (await stat(entry.codeCacheFile(file))).size;
    console.warn(
      `${path.basename(file)}: training run failed (${child.stderr.trim()}); caching its top level only`,
    );
  }
  const { script } = entry.loadBundle(file);
  const envelope = entry.codeCacheEnvelope(await readFile(file), script.createCachedData());
  await writeFile(entry.codeCacheFile(file), envelope);
  return envelope.length;
}

async function cliEntryModule(): Promise<CliEntryModule> {
  return (await import(pathToFileURL(path.join(REPO, "bin", "cli-entry.cjs")).href)) as CliEntryModule;
}

/** The child of {@link writeCodeCache}: runs `args` with the bundle `file`, then writes its cache. */
async function trainCodeCache(file: string, args: string[]): Promise<void> {
  const entry = await cliEntryModule();
  const { exports, script } = entry.loadBundle(file);
  await (exports as { run: (argv: string[]) => Promise<number> }).run(args);
  await writeFile(
    entry.codeCacheFile(file),
    entry.codeCacheEnvelope(await readFile(file), script.createCachedData()),
  );
}

if (
  process.argv[1] &&
  import.meta.url === pathToFileURL(process.argv[1]).href &&
  process.argv[2] === "--code-cache"
) {
  await trainCodeCache(path.resolve(process.argv[3] ?? ""), process.argv.slice(4));
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = path.resolve(process.argv[2] ?? path.join(REPO, "dist", "bin"));
  const { bytes, cacheBytes } = await buildBin(out);
  const mb = (sizes: Record<string, number>) =>
    (Object.values(sizes).reduce((a, b) => a + b, 0) / 1e6).toFixed(1);
  console.log(
    `${path.relative(process.cwd(), out) || "."}: ${Object.keys(bytes).length} bundles, ${mb(bytes)} MB, code caches ${mb(cacheBytes)} MB (${Object.entries(
      bytes,
    )
      .map(([b, n]) => `${b} ${(n / 1e3).toFixed(0)} + ${((cacheBytes[b] ?? 0) / 1e3).toFixed(0)} kB`)
      .join(", ")})`,
  );
}
