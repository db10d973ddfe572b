/**
 * The file a triage worker thread starts from in the tsc build (dist/src/app/triage-worker-main.js,
 * src/app/triage-pool.ts `workerEntry`): it runs {@link runTriageWorker}. The npm bin's bundles
 * start their workers from the bundle itself instead (scripts/build-bin.ts).
 *
 * Source: Node.js, "Worker threads" (https://nodejs.org/docs/latest-v20.x/api/worker_threads.html).
 */
import { runTriageWorker } from "./triage-worker.js";

// A rejection ends the thread with an `error` event in the main thread (unhandled rejections throw).
void runTriageWorker();
