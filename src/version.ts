/**
 * The tool's name and version: stamped in by the bundler for the single-file build
 * (`KOFF_DOCTOR_VERSION`, scripts/build-exe.ts), otherwise read once from package.json at the
 * repository/package root. Source: docs/windows-exe.md ("Version and knowledge inside the bundle").
 */
import { readFileSync } from "node:fs";

/**
 * Replaced by esbuild's `define` with the package version as a string literal when the CLI is
 * bundled into koff-doctor.exe, which has no package.json beside it; undeclared (so `typeof` is
 * `"undefined"`) in the tsc build.
 */
declare const KOFF_DOCTOR_VERSION: string | undefined;

let version: string | undefined;

export function toolInfo(): { name: "koff-doctor"; version: string } {
  if (version === undefined) {
    if (typeof KOFF_DOCTOR_VERSION === "string") version = KOFF_DOCTOR_VERSION;
    else {
      try {
        const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
          version?: string;
        };
        version = pkg.version ?? "0.0.0";
      } catch {
        version = "0.0.0";
      }
    }
  }
  return { name: "koff-doctor", version };
}
