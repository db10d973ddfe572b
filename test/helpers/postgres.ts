/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a temporary folder, `pg_ctl start` on a
 * Unix socket in that folder (no TCP port), `pg_ctl stop` and removal afterwards. Run as the
 * current user, or as `nobody` through `runuser` when the tests run as root (PostgreSQL refuses
 * root). Debian's `postgresql` package provides the tools (/usr/lib/postgresql/N/bin).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface ThrowawayPostgres {
  url: string;
  stop(): void;
}

/** The folder holding initdb and pg_ctl, or undefined. */
function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return path.join(root, versions[0], "bin");
  }
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter))
    if (existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "pg_ctl"))) return dir;
  return undefined;
}

/**
 * Starts a cluster, or returns why it cannot (no PostgreSQL tools, no way to run as non-root,
 * a failed start): a reason to skip with.
 */
export function startThrowawayPostgres(): ThrowawayPostgres | string {
  const bin = postgresBin();
  if (bin === undefined) return "PostgreSQL is not installed (apt-get install postgresql)";
  const asRoot = process.getuid?.() === 0;
  if (asRoot && !existsSync("/usr/sbin/runuser") && !existsSync("/sbin/runuser"))
    return "running as root without runuser: PostgreSQL refuses to run as root";
  const dir = mkdtempSync(path.join(tmpdir(), "koff-pg-"));
  const data = path.join(dir, "data");
  const run = (tool: string, args: string[]) => {
    const cmd = path.join(bin, tool);
    if (asRoot) execFileSync("runuser", ["-u", "nobody", "--", cmd, ...args], { stdio: "pipe", cwd: dir });
    else execFileSync(cmd, args, { stdio: "pipe", cwd: dir });
  };
  try {
    if (asRoot) {
      chownSync(dir, 65534, 65534);
      chmodSync(dir, 0o700);
    }
    run("initdb", ["-D", data, "-U", "fleet", "-A", "trust", "--no-sync", "-E", "UTF8"]);
    const port = String(20000 + (process.pid % 20000));
    run("pg_ctl", [
      "-D",
      data,
      "-l",
      path.join(dir, "log"),
      "-w",
      "-o",
      `-k ${dir} -p ${port} -c listen_addresses='' -c fsync=off`,
      "start",
    ]);
    return {
      url: `postgres://fleet@localhost/postgres?host=${encodeURIComponent(dir)}&port=${port}`,
      stop: () => {
        try {
          run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const err = e as { stderr?: Buffer; message: string };
    return `could not start a throwaway PostgreSQL: ${err.stderr?.toString().trim() || err.message}`;
  }
}
