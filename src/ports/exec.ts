/**
 * The process-execution port: how koff-doctor runs a Windows tool (`reg.exe`, `tasklist`,
 * `netstat`, `wevtutil`, `icacls`) without knowing how. The live adapter implements it over
 * `child_process.execFile` (src/adapters/live/exec.ts); tests pass recorded output or Wine.
 *
 * Source: Node.js `child_process.execFile` (https://nodejs.org/api/child_process.html), whose
 * no-shell argument-vector contract this port keeps.
 */

/** Result of running a program. `stdout`/`stderr` are raw bytes (console programs write OEM code page text). */
export interface ExecResult {
  stdout: Uint8Array | string;
  stderr: Uint8Array | string;
  /** Process exit code (a signal-killed process reports -1). */
  code: number;
}

/**
 * Runs `cmd` with `args` (no shell: each argument reaches the program as is) and resolves when it
 * exits, whatever the exit code. Rejects only when the program cannot run at all (not found,
 * timed out, output over the implementation's cap).
 */
export type Exec = (cmd: string, args: string[]) => Promise<ExecResult>;
