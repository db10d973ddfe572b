/**
 * Where the CLI writes, injected so tests capture output without spawning a process, and the
 * colour decision: colour only on a TTY, never with NO_COLOR (https://no-color.org), forced
 * with FORCE_COLOR.
 */
import pc from "picocolors";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colour functions, enabled or not. */
  colors: ReturnType<typeof pc.createColors>;
  /** True when stderr is an interactive terminal (progress is shown there). */
  interactive: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The terminal to ask questions on (`repair --guided`): set only when stdin and stdout are both TTYs. */
  terminal?: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream };
}

/** True when `stream` should get ANSI colour. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  if (env["FORCE_COLOR"] !== undefined && env["FORCE_COLOR"] !== "0") return true;
  return stream.isTTY === true && env["TERM"] !== "dumb";
}

/**
 * The real process streams. A closed stdout (the reader quit early, as `| head` does: EPIPE)
 * ends output quietly: later writes are dropped, nothing goes to stderr, and the run keeps the
 * exit code it would have had (docs/exit-codes.md).
 */
export function processIo(): CliIo {
  let stdoutClosed = false;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    stdoutClosed = true;
  });
  return {
    stdout: (t) => void (stdoutClosed || process.stdout.write(t)),
    stderr: (t) => void process.stderr.write(t),
    colors: pc.createColors(wantsColor(process.stdout, process.env)),
    interactive: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    terminal:
      process.stdin.isTTY === true && process.stdout.isTTY === true
        ? { input: process.stdin, output: process.stdout }
        : undefined,
  };
}
