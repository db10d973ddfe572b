/**
 * The live adapter (Windows): files through the machine's own disks, the registry through
 * `reg.exe`, processes and their modules through `tasklist /m /fo csv`, connections through
 * `netstat -ano`, the event logs (Application, Defender Operational) through `wevtutil qe /q:XPATH
 * /f:xml`, free space through statfs.
 * Every tool runs through an injected {@link Exec}, so tests drive it with recorded output. A tool
 * that fails, or exits 0 without a real answer (src/windows/tool-output/no-answer.ts), makes its
 * facts unknown: the port throws and the collector records why.
 *
 * Source: docs/windows-state.md ("Live registry"); the built-in tools it runs: reg, tasklist, netstat
 * (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/windows-commands).
 */
import { statfs } from "node:fs/promises";
import path from "node:path";
import type { Exec } from "../../ports/exec.js";
import type { FileSystemPort } from "../../ports/file-system.js";
import type { RegistryPort } from "../../ports/registry.js";
import type { Snapshot } from "../../ports/snapshot.js";
import { WindowsStateError } from "../../windows/errors.js";
import { readNetstatAnswer } from "../../windows/tool-output/netstat.js";
import { readTasklistAnswer } from "../../windows/tool-output/tasklist.js";
import { applyEventQuery, wevtutilQueryArgs } from "../../windows/event-query.js";
import { parseWevtutilXml, readWevtutilAnswer } from "../../windows/tool-output/wevtutil.js";
import { decodeOem, type OemCodePage } from "../../windows/tool-output/oem-code-page.js";
import { createLiveRegistry, detectOemCodePage } from "./create-live-registry.js";
import { nodeExec } from "./exec.js";
import { LiveFileSystem } from "./live-file-system.js";

/** Records `wevtutil` is asked for per log (those its XPath filter selects), newest first. */
export const EVENTS_PER_LOG = 2000;

/**
 * Runs a tool and hands its stdout and command line to `read`, which throws `no-answer` when the
 * output holds no real answer. A non-zero exit is a typed error too (the facts become unknown).
 */
async function answer<T>(
  exec: Exec,
  codePage: OemCodePage | "utf-8",
  cmd: string,
  args: string[],
  read: (stdout: string, command: string) => T,
): Promise<T> {
  const r = await exec(cmd, args);
  const text = (b: Uint8Array | string) =>
    typeof b === "string"
      ? b
      : codePage === "utf-8"
        ? Buffer.from(b).toString("utf8")
        : decodeOem(b, codePage);
  const command = [path.win32.basename(cmd), ...args].join(" ");
  if (r.code !== 0) {
    throw new WindowsStateError(
      "exec-failed",
      `${command} exited with ${r.code}: ${text(r.stderr).trim().slice(0, 200)}`,
      { path: cmd },
    );
  }
  return read(text(r.stdout), command);
}

export interface LiveSnapshotOptions {
  exec?: Exec;
  systemRoot?: string;
  /** Overrides for tests. */
  fs?: FileSystemPort;
  registry?: RegistryPort;
  /** The console's OEM code page; asked with `chcp` when absent. */
  codePage?: OemCodePage | "utf-8";
}

export async function createLiveSnapshot(options: LiveSnapshotOptions = {}): Promise<Snapshot> {
  const exec = options.exec ?? nodeExec({ timeoutMs: 120_000 });
  // Console tools print in the console's OEM code page (852 on a Czech Windows, 866 on a Russian one).
  const codePage = options.codePage ?? (await detectOemCodePage(exec));
  const sys = `${options.systemRoot ?? process.env["SystemRoot"] ?? "C:\\Windows"}\\System32`;
  return {
    mode: "live",
    fs: options.fs ?? new LiveFileSystem(),
    registry: options.registry ?? (await createLiveRegistry({ exec, codePage })),
    processes: {
      list: () => answer(exec, codePage, `${sys}\\tasklist.exe`, ["/m", "/fo", "csv"], readTasklistAnswer),
    },
    network: {
      connections: () => answer(exec, codePage, `${sys}\\netstat.exe`, ["-ano"], readNetstatAnswer),
    },
    eventLog: {
      // A filtered query may rightly match nothing, so the log is first asked for its newest
      // record, unfiltered: a log that then prints nothing told nothing (Wine's stub). wevtutil
      // filters by id, provider and time (XPath); `accept` and `max` are applied here.
      query: async (log, query) => {
        const wevtutil = `${sys}\\wevtutil.exe`;
        await answer(exec, codePage, wevtutil, ["qe", log, "/f:xml", "/rd:true", "/c:1"], (out, command) =>
          readWevtutilAnswer(out, log, command),
        );
        return applyEventQuery(
          parseWevtutilXml(
            await answer(
              exec,
              codePage,
              wevtutil,
              wevtutilQueryArgs(log, query, EVENTS_PER_LOG),
              (out) => out,
            ),
            log,
          ),
          query,
        );
      },
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
