/** Shared helpers for the live-adapter tests: fixture paths and a replaying Exec. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Exec, ExecResult } from "../../src/ports/exec.js";

/** The repository root (dist/test/live/ → ../../..). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export function fixture(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(path.join(repoRoot, "fixtures", "windows", ...parts)));
}

/**
 * An Exec that answers `reg <args>` from a table keyed by the joined arguments; anything else
 * exits 1 with the Windows "not found" message. Records every call.
 */
export function replayExec(table: Record<string, ExecResult>): Exec & { calls: string[][] } {
  const calls: string[][] = [];
  const exec = (async (_cmd: string, args: string[]) => {
    calls.push(args);
    const hit = table[args.join(" ")];
    return (
      hit ?? {
        stdout: "",
        stderr: "ERROR: The system was unable to find the specified registry key or value.\r\n",
        code: 1,
      }
    );
  }) as Exec & { calls: string[][] };
  exec.calls = calls;
  return exec;
}
