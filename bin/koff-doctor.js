#!/usr/bin/env node
// Thin launcher: runs the verb's bundle from dist/bin/ (with its V8 code cache), or the tsc build
// dist/src/cli/main.js (bin/cli-entry.js says which, and loads the bundle). Both are made by
// `npm run build`, and by `npm pack` via `prepack`.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { cliEntry, loadBundle } from "./cli-entry.js";

const entry = cliEntry(process.argv[2]);
if (!existsSync(entry.file)) {
  process.stderr.write(`koff-doctor: ${entry.file} is missing: run \`npm run build\` first\n`);
  process.exitCode = 70;
} else {
  const cli =
    entry.kind === "bundle" ? loadBundle(entry.file).exports : await import(pathToFileURL(entry.file).href);
  process.exitCode = await cli[entry.exportName](process.argv.slice(2));
}
