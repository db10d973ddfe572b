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

/** Spawn errors after which the program never started, so one more attempt is safe. */
const TRANSIENT_SPAWN_ERRORS = new Set(["UNKNOWN", "EAGAIN"]);

/**
 * An {@link Exec} over `child_process.execFile`. A program that could not be started for a
 * transient reason (`spawn UNKNOWN`, seen under Wine when many processes start at once, or
 * `EAGAIN`) is started once more: it never ran, so nothing happens twice.
 * @throws {@link WindowsStateError} `exec-failed` when the program cannot start, times out, or overflows `maxBuffer`.
 */
export function nodeExec(options: NodeExecOptions = {}): Exec {
  const once = execOnce(options);
  return async (cmd, args) => {
    try {
      return await once(cmd, args);
    } catch (e) {
      const errno = ((e as WindowsStateError).cause as NodeJS.ErrnoException | undefined)?.code;
      if (typeof errno === "string" && TRANSIENT_SPAWN_ERRORS.has(errno)) return once(cmd, args);
      throw e;
    }
  };
}

function execOnce(options: NodeExecOptions): Exec {
  return (cmd, args) =>
    new Promise((resolve, reject) => {
      const fail = (error: Error) =>
        reject(
          new WindowsStateError("exec-failed", `${cmd} failed: ${error.message}`, {
            structure: "exec",
            path: cmd,
            cause: error,
          }),
        );
      try {
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
            fail(error);
          },
        );
      } catch (error) {
        // spawn() throws synchronously for some start failures (e.g. `spawn UNKNOWN`).
        fail(error as Error);
      }
    });
}
