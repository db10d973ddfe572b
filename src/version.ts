/** The tool's name and version, read once from package.json at the repository/package root. */
import { readFileSync } from "node:fs";

let version: string | undefined;

export function toolInfo(): { name: "koff-doctor"; version: string } {
  if (version === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
        version?: string;
      };
      version = pkg.version ?? "0.0.0";
    } catch {
      version = "0.0.0";
    }
  }
  return { name: "koff-doctor", version };
}
