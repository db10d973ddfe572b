/** Runs the CLI in-process with captured output (no colour, no TTY). */
import pc from "picocolors";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/io.js";

export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    colors: pc.createColors(false),
    interactive: false,
    env,
    cwd: process.cwd(),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
