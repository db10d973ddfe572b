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
  /** True once stdout is closed (the reader quit: EPIPE); a long verb may stop early. */
  stdoutClosed?: () => boolean;
  /**
   * Calls `handler` on Ctrl-C (SIGINT) until the returned function is called; a second Ctrl-C
   * ends the process at once with exit code 130. Absent where there is no terminal (tests).
   */
  onInterrupt?: (handler: () => void) => () => void;
  /** Columns of the terminal stderr is, when it is one (progress lines are cut to fit). */
  columns?: () => number | undefined;
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
    stdoutClosed: () => stdoutClosed,
    onInterrupt: (handler) => {
      let seen = false;
      const listener = () => {
        // 128 + SIGINT (2), as a shell reports a process ended by Ctrl-C.
        if (seen) process.exit(130);
        seen = true;
        handler();
      };
      process.on("SIGINT", listener);
      return () => void process.off("SIGINT", listener);
    },
    columns: () => process.stderr.columns,
    stderr: (t) => void process.stderr.write(t),
    colors: pc.createColors(wantsColor(process.stdout, process.env)),
    interactive: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    // stdout first: `process.stdin` is made on first use, a socket (and node:net) when it is a pipe.
    terminal:
      process.stdout.isTTY === true && process.stdin.isTTY === true
        ? { input: process.stdin, output: process.stdout }
        : undefined,
  };
}
