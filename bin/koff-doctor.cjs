#!/usr/bin/env node
// Thin launcher: runs the verb's bundle from dist/bin/ (with its V8 code cache), or the tsc build
// dist/src/cli/main.js (bin/cli-entry.cjs says which, and loads the bundle). Both are made by
// `npm run build`, and by `npm pack` via `prepack`. CommonJS, so that Node does not start its ES
// module loader for a bundle that does not need it (bin/cli-entry.cjs).
"use strict";
const { existsSync } = require("node:fs");
const { pathToFileURL } = require("node:url");
const { cliEntry, loadBundle } = require("./cli-entry.cjs");

const entry = cliEntry(process.argv[2]);
if (!existsSync(entry.file)) {
  process.stderr.write(`koff-doctor: ${entry.file} is missing: run \`npm run build\` first\n`);
  process.exitCode = 70;
} else {
  const cli =
    entry.kind === "bundle"
      ? Promise.resolve(loadBundle(entry.file).exports)
      : import(pathToFileURL(entry.file).href);
  let settled = false;
  cli
    .then((module) => module[entry.exportName](process.argv.slice(2)))
    .then((code) => {
      settled = true;
      process.exitCode = code;
    });
  // A run whose promise never settles (its event loop ran dry) is a defect, not a clean exit.
  process.on("exit", () => {
    if (!settled && process.exitCode === undefined) process.exitCode = 70;
  });
}
