/**
 * The koff-doctor command line: a thin renderer over the library. Parses arguments with
 * commander, runs one verb, renders text / JSON / SARIF, and returns the exit code
 * (docs/exit-codes.md). It never calls process.exit, so it can run inside tests.
 */
import { Command, CommanderError } from "commander";
import { CodedError, ExitCode, InputFileError, toolInfo } from "../index.js";
import { registerCheckCommand } from "./commands/check.js";
import { registerCollectCommand } from "./commands/collect.js";
import { registerEventsCommand } from "./commands/events.js";
import { registerExplainCommand } from "./commands/explain.js";
import { registerFleetCommand } from "./commands/fleet.js";
import { registerRegistryCommand } from "./commands/registry.js";
import { registerRepairCommands } from "./commands/repair.js";
import { registerTriageCommand } from "./commands/triage.js";
import type { CommandResult } from "./command-result.js";
import { addHelpFooters } from "./help-text.js";
import { processIo, type CliIo } from "./io.js";
import { UsageError } from "./usage-error.js";

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code.
 * @param io - where to write; defaults to the process streams.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let result: CommandResult = { exitCode: ExitCode.OK };
  const program = new Command()
    .name("koff-doctor")
    .description(
      "Diagnose, triage and safely repair the Kerio Outlook Connector (Offline Edition) and its MAPI provider kofmsp.dll",
    )
    .version(toolInfo().version)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError("(run with --help for usage)");

  const run = (r: CommandResult) => {
    result = r;
  };
  registerTriageCommand(program, io, run);
  registerCheckCommand(program, io, run);
  registerCollectCommand(program, io, run);
  registerRepairCommands(program, io, run);
  registerRegistryCommand(program, io, run);
  registerEventsCommand(program, io, run);
  registerExplainCommand(program, io, run);
  addHelpFooters(program);
  registerFleetCommand(program, io, run);

  try {
    await program.parseAsync(argv, { from: "user" });
    return result.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with exitCode 0 through the override.
      return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (e instanceof UsageError) {
      io.stderr(`koff-doctor: ${e.message}\n`);
      return ExitCode.USAGE;
    }
    if (e instanceof InputFileError) {
      // A path under inspection (`--bundle`, a hive) that is not a readable regular file.
      io.stderr(`koff-doctor: ${e.path}: ${e.code}: ${e.reason}\n`);
      return ExitCode.UNREADABLE;
    }
    if (e instanceof CodedError) {
      // A typed error that reached the top is an input the verb could not read (a damaged hive,
      // an unreadable trust file): say what and where, never a stack trace.
      const f = e as CodedError<string> & { offset?: number; path?: string; structure?: string };
      const where = [
        f.path,
        f.structure,
        f.offset === undefined ? undefined : `offset 0x${f.offset.toString(16)}`,
      ]
        .filter(Boolean)
        .join(", ");
      io.stderr(`koff-doctor: ${e.code}: ${e.message}${where ? ` (${where})` : ""}\n`);
      return e.code === "bad-trust-file" ? ExitCode.USAGE : ExitCode.UNREADABLE;
    }
    io.stderr(`koff-doctor: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return ExitCode.INTERNAL;
  }
}
