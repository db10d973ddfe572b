/**
 * The live adapter (Windows): files through the machine's own disks, the registry through
 * `reg.exe`, processes and their modules through `tasklist /m /fo csv`, connections through
 * `netstat -ano`, the event logs (Application, Defender Operational) through `wevtutil qe /q:XPATH
 * /f:xml`, free space through statfs.
 * Every tool runs through an injected {@link Exec}, so tests drive it with recorded output.
 *
 * Source: docs/windows-state.md ("Live registry"); the built-in tools it runs: reg, tasklist, netstat
 * (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/windows-commands).
 */
import { statfs } from "node:fs/promises";
import type { Exec } from "../../ports/exec.js";
import type { FileSystemPort } from "../../ports/file-system.js";
import type { RegistryPort } from "../../ports/registry.js";
import type { Snapshot } from "../../ports/snapshot.js";
import { WindowsStateError } from "../../windows/errors.js";
import { parseNetstatAno } from "../../windows/tool-output/netstat.js";
import { parseTasklistCsv } from "../../windows/tool-output/tasklist.js";
import { applyEventQuery, wevtutilQueryArgs } from "../../windows/event-query.js";
import { parseWevtutilXml } from "../../windows/tool-output/wevtutil.js";
import { createLiveRegistry } from "./create-live-registry.js";
import { nodeExec } from "./exec.js";
import { LiveFileSystem } from "./live-file-system.js";

/** Records `wevtutil` is asked for per log (those its XPath filter selects), newest first. */
export const EVENTS_PER_LOG = 2000;

const text = (b: Uint8Array | string) => (typeof b === "string" ? b : Buffer.from(b).toString("utf8"));

/** Runs a tool and returns its stdout; a non-zero exit is a typed error (the facts become unknown). */
async function run(exec: Exec, cmd: string, args: string[]): Promise<string> {
  const r = await exec(cmd, args);
  if (r.code !== 0) {
    throw new WindowsStateError(
      "exec-failed",
      `${cmd} exited with ${r.code}: ${text(r.stderr).trim().slice(0, 200)}`,
      { path: cmd },
    );
  }
  return text(r.stdout);
}

export interface LiveSnapshotOptions {
  exec?: Exec;
  systemRoot?: string;
  /** Overrides for tests. */
  fs?: FileSystemPort;
  registry?: RegistryPort;
}

export async function createLiveSnapshot(options: LiveSnapshotOptions = {}): Promise<Snapshot> {
  const exec = options.exec ?? nodeExec({ timeoutMs: 120_000 });
  const sys = `${options.systemRoot ?? process.env["SystemRoot"] ?? "C:\\Windows"}\\System32`;
  return {
    mode: "live",
    fs: options.fs ?? new LiveFileSystem(),
    registry: options.registry ?? (await createLiveRegistry({ exec })),
    processes: {
      list: async () => parseTasklistCsv(await run(exec, `${sys}\\tasklist.exe`, ["/m", "/fo", "csv"])),
    },
    network: {
      connections: async () => parseNetstatAno(await run(exec, `${sys}\\netstat.exe`, ["-ano"])),
    },
    eventLog: {
      // wevtutil filters by id, provider and time (XPath); `accept` and `max` are applied here.
      query: async (log, query) =>
        applyEventQuery(
          parseWevtutilXml(
            await run(exec, `${sys}\\wevtutil.exe`, wevtutilQueryArgs(log, query, EVENTS_PER_LOG)),
            log,
          ),
          query,
        ),
    },
    disk: {
      freeBytes: async (p) => {
        const s = await statfs(p.slice(0, 3)).catch(() => undefined);
        return s ? s.bavail * s.bsize : undefined;
      },
    },
    now: () => new Date(),
    describe: () => "live",
    unknown: {},
  };
}
