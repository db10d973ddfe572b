/**
 * The entry point of koff-doctor.exe (scripts/build-exe.ts bundles it): the same `main` as
 * bin/koff-doctor.cjs. In a Node single executable application both `process.argv[0]` and
 * `process.argv[1]` are the executable's path, so the user's arguments start at index 2
 * (https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html).
 */
import { isMainThread } from "node:worker_threads";
import { runTriageWorker } from "../src/app/triage-worker.js";
import { main } from "../src/cli/main.js";

// A `triage --jobs` worker thread evaluates this same bundle (src/app/triage-pool.ts `workerEntry`).
if (isMainThread)
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
else void runTriageWorker();
