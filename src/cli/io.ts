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
}

/** True when `stream` should get ANSI colour. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  if (env["FORCE_COLOR"] !== undefined && env["FORCE_COLOR"] !== "0") return true;
  return stream.isTTY === true && env["TERM"] !== "dumb";
}

/** The real process streams. */
export function processIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    colors: pc.createColors(wantsColor(process.stdout, process.env)),
    interactive: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}
