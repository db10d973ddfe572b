#!/usr/bin/env node
// Thin launcher: runs the verb's bundle from dist/bin/ (with its V8 code cache), or the tsc build
// dist/src/cli/main.js (bin/cli-entry.cjs says which, and loads the bundle). Both are made by
// `npm run build`, and by `npm pack` via `prepack`. CommonJS, so that Node does not start its ES
// module loader for a bundle that does not need it (bin/cli-entry.cjs).
"use strict";
const { existsSync } = require("node:fs");
const { pathToFileURL } = require("node:url");
const { cliEntry, endsWithItsRun, loadBundle } = require("./cli-entry.cjs");

/**
 * Ends the process now when everything written to stdout and stderr has been handed to the
 * system, instead of waiting for the event loop to drain: Node would first let V8 finish the
 * optimizing compiles still queued for functions the run no longer calls (most of the gap
 * between a `check`'s last line and its exit). Whether a write is synchronous depends on the
 * stream and the system (https://nodejs.org/docs/latest-v20.x/api/process.html#a-note-on-process-io:
 * files always, terminals on POSIX, pipes on Linux); while one is still pending, the loop drains
 * as usual.
 */
function exitOnceWritten() {
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
}

const entry = cliEntry(process.argv[2]);
if (!existsSync(entry.file)) {
  process.stderr.write(`koff-doctor: ${entry.file} is missing: run \`npm run build\` first\n`);
  process.exitCode = 70;
} else {
  const cli =
    entry.kind === "bundle"
      ? Promise.resolve(loadBundle(entry.file).exports)
      : import(pathToFileURL(entry.file).href);
  // `main` reports its own errors and returns an exit code; what escapes it is a defect, said as
  // `main` says one (docs/exit-codes.md: 70, with the message).
  const internal = (what) => {
    process.stderr.write(`koff-doctor: internal error: ${what}\n`);
    process.exitCode = 70;
  };
  let settled = false;
  cli
    .then((module) => module[entry.exportName](process.argv.slice(2)))
    .then(
      (code) => {
        settled = true;
        process.exitCode = code;
        if (endsWithItsRun(process.argv[2])) exitOnceWritten();
      },
      (e) => {
        settled = true;
        internal(e instanceof Error ? (e.stack ?? e.message) : String(e));
      },
    );
  // The event loop ran dry with the run still pending (an explicit process.exit() does not come
  // here): nothing is left that could finish it.
  process.once("beforeExit", () => {
    if (!settled) internal("the command ended without finishing its work");
  });
}
