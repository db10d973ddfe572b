/**
 * The live implementation of the {@link Exec} port (src/ports/exec.ts): tests drive the live
 * adapter with recorded output or with Wine's `reg.exe`, and production uses {@link nodeExec} (`child_process.execFile`, no shell, hidden window, bounded output and time).
 */
import { execFile } from "node:child_process";
import { READ_LIMITS } from "../../limits.js";
import type { Exec } from "../../ports/exec.js";
import { WindowsStateError } from "../../windows/errors.js";

/** Options of {@link nodeExec}. */
export interface NodeExecOptions {
  /** Kill the process after this many ms. Default 60 000. */
  timeoutMs?: number;
  /** Largest stdout/stderr accepted, in bytes. Default {@link READ_LIMITS}.execOutputBytes (128 MiB). */
  maxBuffer?: number;
  /** Extra environment variables (e.g. WINEPREFIX). */
  env?: Record<string, string>;
}

/**
 * An {@link Exec} over `child_process.execFile`.
 * @throws {@link WindowsStateError} `exec-failed` when the program cannot start, times out, or overflows `maxBuffer`.
 */
export function nodeExec(options: NodeExecOptions = {}): Exec {
  return (cmd, args) =>
    new Promise((resolve, reject) => {
      execFile(
        cmd,
        args,
        {
          encoding: "buffer",
          windowsHide: true,
          timeout: options.timeoutMs ?? 60_000,
          maxBuffer: options.maxBuffer ?? READ_LIMITS.execOutputBytes,
          env: options.env === undefined ? process.env : { ...process.env, ...options.env },
        },
        (error, stdout, stderr) => {
          const out = { stdout: new Uint8Array(stdout), stderr: new Uint8Array(stderr) };
          if (error === null) return resolve({ ...out, code: 0 });
          const e = error as NodeJS.ErrnoException & {
            code?: unknown;
            killed?: boolean;
            signal?: string | null;
          };
          if (typeof e.code === "number" && !e.killed) return resolve({ ...out, code: e.code });
          reject(
            new WindowsStateError("exec-failed", `${cmd} failed: ${e.message}`, {
              structure: "exec",
              path: cmd,
              cause: error,
            }),
          );
        },
      );
    });
}
