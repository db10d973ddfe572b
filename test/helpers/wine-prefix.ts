/**
 * Fresh Wine prefixes for the tests that run Windows programs under Wine
 * (https://gitlab.winehq.org/wine/wine/-/wikis/Wine-User's-Guide).
 *
 * The first program run in an empty WINEPREFIX creates the prefix on the fly; under load that
 * implicit boot can lose a race and the program exits 53 ("could not load kernel32.dll"). So a
 * test initialises the prefix explicitly first (`wineboot --init`, retried once after stopping
 * the prefix's wineserver), waits for the wineserver to write the registry, and only then runs
 * its programs. {@link removeWinePrefix} stops the wineserver and deletes the folder (a prefix
 * is about 700 MB: a leaked one per run fills /tmp).
 */
import { spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";

/** One command's outcome: its exit code (or -1 when killed or not started) and stderr. */
export interface WineStep {
  code: number;
  stderr: string;
}

/** Runs a command in the prefix's environment; never rejects. */
export type WineRunner = (
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
) => Promise<WineStep>;

/** The real runner: `spawn` with a kill after `timeoutMs`, stdout dropped, stderr kept (1 MiB). */
export const spawnWine: WineRunner = (cmd, args, env, timeoutMs) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"], timeout: timeoutMs });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (s: string) => {
      if (stderr.length < 1 << 20) stderr += s;
    });
    child.on("error", (e) => resolve({ code: -1, stderr: `${stderr}${e.message}` }));
    child.on("close", (c) => resolve({ code: c ?? -1, stderr }));
  });

/** The environment selecting `prefix` (Wine's debug output off). */
export function winePrefixEnv(prefix: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, WINEDEBUG: "-all", ...extra, WINEPREFIX: prefix };
}

/**
 * Creates the prefix selected by `env` (`wine wineboot --init`, up to 10 minutes), retrying once
 * after `wineserver -k` when the first boot fails, then waits for its wineserver to exit
 * (`wineserver -w`, which writes the registry files). Throws with both attempts' stderr when
 * the retry fails too.
 */
export async function initWinePrefix(env: NodeJS.ProcessEnv, run: WineRunner = spawnWine): Promise<void> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 2; attempt++) {
    const boot = await run("wine", ["wineboot", "--init"], env, 600_000);
    if (boot.code === 0) {
      await run("wineserver", ["-w"], env, 300_000);
      return;
    }
    failures.push(`attempt ${attempt}: exit ${boot.code}: ${boot.stderr.slice(0, 2000)}`);
    await run("wineserver", ["-k"], env, 30_000);
  }
  throw new Error(`wineboot --init failed twice in ${env["WINEPREFIX"] ?? "?"}:\n${failures.join("\n")}`);
}

/** Stops the prefix's wineserver and deletes `dir` (the prefix or a folder holding it). */
export function removeWinePrefix(env: NodeJS.ProcessEnv, dir: string): void {
  spawnSync("wineserver", ["-k"], { env, timeout: 30_000, stdio: "ignore" });
  rmSync(dir, { recursive: true, force: true });
}
