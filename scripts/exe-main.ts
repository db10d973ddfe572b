/**
 * The entry point of koff-doctor.exe (scripts/build-exe.ts bundles it): the same `main` as
 * bin/koff-doctor.cjs. In a Node single executable application both `process.argv[0]` and
 * `process.argv[1]` are the executable's path, so the user's arguments start at index 2
 * (https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html).
 */
import { main } from "../src/cli/main.js";

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
