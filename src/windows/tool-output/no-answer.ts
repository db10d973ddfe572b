/**
 * What a console tool's answer must contain before its parsed result counts as a fact. A tool
 * that exited 0 but printed nothing, or printed something without the documented rows, has told
 * us nothing: a stub (Wine ships `tasklist`, `wevtutil` and `powershell` stubs that print nothing
 * and exit 0) or an option the tool refused. Reading that as "no process runs" or "no event was
 * logged" would turn ignorance into a clean bill of health, so each reader throws
 * {@link WindowsStateError} `no-answer` instead and the collector records the fact as unknown.
 *
 * Source: docs/windows-state.md ("A tool that printed nothing is unknown"); the tools' Microsoft
 * references (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/windows-commands).
 */
import { WindowsStateError } from "../errors.js";

/**
 * The error for a command whose output held no real answer.
 * @param command - the command line as run, e.g. `tasklist.exe /m /fo csv`.
 * @param reason - what was missing, e.g. `printed nothing`.
 */
export function noAnswer(command: string, reason: string): WindowsStateError {
  return new WindowsStateError("no-answer", `${command} exited 0 but ${reason}; it told nothing`, {
    structure: "tool-output",
    path: command,
  });
}

/** True when `text` holds nothing but whitespace (and NULs, which a UTF-16 stub might print). */
export function isBlank(text: string): boolean {
  return text.replace(/[\s\0]/g, "") === "";
}
