/**
 * `tasklist /m /fo csv` (and `tasklist /fo csv`): processes with their loaded modules.
 *
 * Format (Microsoft "tasklist" reference): a header line of quoted column names, then one line per
 * process. With `/m` the columns are `"Image Name","PID","Modules"`, the modules a comma-separated
 * list inside one quoted field, or `N/A` when they cannot be read (protected processes, other
 * users without elevation). Column names are localized, so columns are recognised by position.
 * Source: https://learn.microsoft.com/windows-server/administration/windows-commands/tasklist
 */
import type { ProcessInfo } from "../../ports/system.js";
import { parseCsvLine } from "./csv.js";
import { isBlank, noAnswer } from "./no-answer.js";

/** Most processes read from one listing (bounded memory on a pathological output). */
export const MAX_PROCESSES = 20_000;

export function parseTasklistCsv(text: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  for (const line of lines) {
    if (out.length >= MAX_PROCESSES) break;
    const f = parseCsvLine(line);
    // The header and "INFO: No tasks…" lines have no numeric PID column.
    if (f.length < 2 || !/^\d+$/.test(f[1] ?? "")) continue;
    const pid = Number(f[1]);
    const process: ProcessInfo = { image: f[0]!, pid };
    if (f.length === 3) {
      const modules = f[2]!.trim();
      if (modules !== "" && modules.toUpperCase() !== "N/A")
        process.modules = modules
          .split(",")
          .map((m) => m.trim())
          .filter(Boolean);
    }
    out.push(process);
  }
  return out;
}

/**
 * The processes of an unfiltered `tasklist` listing, as a fact. A real listing always holds at
 * least the System process (PID 4) and the tasklist process itself, so an empty one is no answer.
 * @param command - the command line run, named in the error.
 * @throws {@link WindowsStateError} `no-answer` when the output is blank or lists no process.
 */
export function readTasklistAnswer(text: string, command: string): ProcessInfo[] {
  if (isBlank(text)) throw noAnswer(command, "printed nothing");
  const processes = parseTasklistCsv(text);
  if (processes.length === 0)
    throw noAnswer(command, "listed no process (a real listing holds at least the System process)");
  return processes;
}
