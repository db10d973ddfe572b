/**
 * `node:worker_threads`, loaded when a thread is first started rather than when a module that
 * can start one is imported: loading it costs a one-file `triage` about 20 ms of its start-up
 * (docs/architecture.md "How the bin starts"), and only `triage -r` starts threads.
 *
 * Source: Node.js, `process.getBuiltinModule` (https://nodejs.org/api/process.html#processgetbuiltinmoduleid).
 */
export function workerThreads(): typeof import("node:worker_threads") {
  return process.getBuiltinModule("node:worker_threads");
}
