/**
 * Wine prefixes that hold a KOFF machine, for the live-mode tests under Wine.
 *
 * A template prefix is created once per test run (`wineboot --init`, retried once, then `winecfg /v win10`, which
 * Node 20 needs) for the Windows user `alice` (Wine names the profile folder after `$USER`, so the
 * sample images' `C:\Users\alice` paths hold). Each machine is a copy of the template into which a
 * sample image of examples/ is installed: its SOFTWARE and NTUSER.DAT hives become `.reg` files
 * (`hivexregedit --export`, the root key line dropped, written as UTF-16LE) that Wine's real `reg.exe` imports into
 * `HKLM\SOFTWARE` (64-bit view) and `HKCU`, and its files (install folder, MAPISVC.INF, the user's
 * AppData with the caches) are copied into `drive_c`.
 *
 * Under Wine, Node's stdout must be a file or a terminal (a pipe fails with EBADF), so every
 * command writes its stdout into a file that is read afterwards.
 */
import { execFile, spawn } from "node:child_process";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { openSync, closeSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { initWinePrefix } from "../helpers/wine-prefix.js";

const run = promisify(execFile);

/** The Windows user of every prefix (the sample images' user). */
export const WINE_USER = "alice";

/** A Wine prefix and the environment that selects it. */
export interface WinePrefix {
  dir: string;
  env: NodeJS.ProcessEnv;
}

export function prefixAt(dir: string): WinePrefix {
  return {
    dir,
    env: { ...process.env, WINEPREFIX: dir, WINEDEBUG: "-all", USER: WINE_USER, LOGNAME: WINE_USER },
  };
}

/** What a command under Wine printed (stdout through a file), its exit code and wall time. */
export interface WineRun {
  code: number;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

/**
 * Runs `wine program args…` in `prefix`, stdout and stderr into files (never pipes: Node under
 * Wine fails with EBADF on a pipe). Never throws for an exit code.
 */
export async function wine(prefix: WinePrefix, program: string, args: string[]): Promise<WineRun> {
  const base = path.join(prefix.dir, `run-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const out = openSync(`${base}.out`, "w");
  const err = openSync(`${base}.err`, "w");
  const started = performance.now();
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn("wine", [program, ...args], { env: prefix.env, stdio: ["ignore", out, err] });
      child.on("error", reject);
      child.on("close", (c) => resolve(c ?? -1));
    });
    const ms = performance.now() - started;
    const stderr = (await readFile(`${base}.err`, "utf8")).slice(0, 1 << 20);
    return { code, stdout: await readFile(`${base}.out`), stderr, ms };
  } finally {
    closeSync(out);
    closeSync(err);
    await rm(`${base}.out`, { force: true });
    await rm(`${base}.err`, { force: true });
  }
}

/** Waits until the prefix's wineserver has exited (it writes the registry files on exit). */
export async function settle(prefix: WinePrefix): Promise<void> {
  await run("wineserver", ["-w"], { env: prefix.env, timeout: 300_000 }).catch(() => undefined);
}

/** Creates the template prefix: wineboot, Windows 10, then waits for the registry to be written. */
export async function createTemplatePrefix(dir: string): Promise<WinePrefix> {
  const prefix = prefixAt(dir);
  await initWinePrefix(prefix.env);
  await run("wine", ["winecfg", "/v", "win10"], { env: prefix.env, timeout: 300_000 });
  await settle(prefix);
  return prefix;
}

/** A copy of `template` at `dir` (the template's wineserver must have exited: {@link settle}). */
export async function clonePrefix(template: WinePrefix, dir: string): Promise<WinePrefix> {
  await run("cp", ["-a", template.dir, dir]);
  return prefixAt(dir);
}

/**
 * A hive as a `.reg` file for `reg import`, under `root` (e.g. `HKEY_CURRENT_USER`). hivexregedit
 * names the hive's root key `[ROOT\]`, which reg.exe refuses, so that line is dropped.
 */
export async function hiveAsRegFile(hive: string, root: string): Promise<string> {
  const { stdout } = await run("hivexregedit", ["--export", "--prefix", root, hive, "\\"], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== `[${root}\\]`)
    .join("\r\n");
}

/** `wine reg …` that must succeed. */
export async function reg(prefix: WinePrefix, args: string[]): Promise<WineRun> {
  const r = await wine(prefix, "reg", args);
  if (r.code !== 0) throw new Error(`wine reg ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r;
}

/**
 * Installs the sample image at `image` (a folder of examples/) into `prefix`: its hives through
 * generated `.reg` files and `reg import`, its files into drive_c.
 */
export async function installImage(prefix: WinePrefix, image: string): Promise<void> {
  const setup = path.join(prefix.dir, "drive_c", "koff-setup");
  await mkdir(setup, { recursive: true });
  const hives: Array<[string, string, string[]]> = [
    ["Windows/System32/config/SOFTWARE", "HKEY_LOCAL_MACHINE\\SOFTWARE", ["/reg:64"]],
    [`Users/${WINE_USER}/NTUSER.DAT`, "HKEY_CURRENT_USER", []],
  ];
  for (const [hive, root, flags] of hives) {
    const name = `${path.basename(hive)}.reg`;
    // "Version 5.00" files are UTF-16LE with a BOM: Wine reads hex(1) data in an 8-bit file as ANSI.
    const text = await hiveAsRegFile(path.join(image, hive), root);
    await writeFile(path.join(setup, name), Buffer.from(`\ufeff${text}`, "utf16le"));
    await reg(prefix, ["import", `C:\\koff-setup\\${name}`, ...flags]);
  }
  const drive = path.join(prefix.dir, "drive_c");
  await cp(path.join(image, "Program Files (x86)"), path.join(drive, "Program Files (x86)"), {
    recursive: true,
  });
  await cp(path.join(image, "Users", WINE_USER, "AppData"), path.join(drive, "users", WINE_USER, "AppData"), {
    recursive: true,
  });
  await rm(setup, { recursive: true, force: true });
}
