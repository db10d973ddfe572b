#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/src/cli/main.js (built by `npm run build`, and by `npm pack` via `prepack`).
import { main } from "../dist/src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
