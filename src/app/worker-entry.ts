/**
 * How this build starts a thread that runs koff-doctor's own code: the `triage -r --jobs N`
 * workers (src/app/triage-pool.ts) and the digest thread of a one-thread run
 * (src/app/digest-thread.ts). Both run a worker thread whose program is the build's own: a
 * module file of the tsc build, the npm bin's bundle, or the bundle a single executable carries.
 *
 * Source: Node.js, "Worker threads" (https://nodejs.org/docs/latest-v20.x/api/worker_threads.html);
 * single executable applications (https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html).
 */
import { fileURLToPath } from "node:url";

/**
 * Replaced by esbuild's `define` in the bundles: `"bin-bundle"` in the npm bin's (a worker loads
 * the bundle the main thread runs, scripts/build-bin.ts), `"sea"` in koff-doctor.exe's (a worker
 * evaluates the bundle the executable carries as the asset {@link SEA_BUNDLE_ASSET},
 * scripts/build-exe.ts); undeclared in the tsc build.
 */
declare const KOFF_TRIAGE_WORKER: "bin-bundle" | "sea" | undefined;

/**
 * The asset of koff-doctor.exe holding its own bundle. A Node single executable cannot start a
 * worker from a file (its script is inside the executable: `new Worker(process.execPath)` reads
 * the executable as JavaScript), but can from JavaScript given as a string (`eval: true`), which
 * it reads with `node:sea` `getAsset` (https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html).
 */
export const SEA_BUNDLE_ASSET = "koff-doctor.cjs";

/** How a worker is started here: a file, or JavaScript to evaluate. */
export type WorkerEntry = { file: URL } | { code: string };

/**
 * The worker entry of this build (see {@link KOFF_TRIAGE_WORKER}); `undefined` when workers
 * cannot run here (the exe's bundle run by a plain `node`, outside the executable).
 */
export function workerEntry(): WorkerEntry | undefined {
  const build = typeof KOFF_TRIAGE_WORKER === "string" ? KOFF_TRIAGE_WORKER : undefined;
  if (build === "sea") {
    const sea = process.getBuiltinModule("node:sea");
    return sea.isSea() ? { code: sea.getAsset(SEA_BUNDLE_ASSET, "utf8") } : undefined;
  }
  if (build === "bin-bundle") {
    // In a bin bundle, import.meta.url is the bundle's own URL (dist/bin/<verb>.cjs); the worker
    // loads the same bundle the same way, with its code cache (bin/cli-entry.cjs).
    const bundle = fileURLToPath(import.meta.url);
    const loader = fileURLToPath(new URL("../../bin/cli-entry.cjs", import.meta.url));
    return {
      code: `require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(bundle)}).exports.runTriageWorker();`,
    };
  }
  return { file: new URL("./triage-worker-main.js", import.meta.url) };
}
