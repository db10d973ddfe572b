/**
 * The koff-doctor command line: a thin renderer over the library. Parses arguments with
 * commander, runs one verb, renders text / JSON / SARIF, and returns the exit code
 * (docs/exit-codes.md). It never calls process.exit, so it can run inside tests.
 */
import { Command, CommanderError } from "commander";
import { ExitCode } from "../report/exit-codes.js";
import { CodedError } from "../util/coded-error.js";
import { InputFileError } from "../util/input-file-error.js";
import { toolInfo } from "../version.js";
import type { CommandResult } from "./command-result.js";
import { addHelpFooters } from "./help-text.js";
import { processIo, type CliIo } from "./io.js";
import { guardTerminalText, printable } from "./terminal-text.js";
import { UsageError } from "./usage-error.js";

/** One verb's registration: adds its command(s) to `program`; `done` receives the result. */
export type Register = (program: Command, io: CliIo, done: (r: CommandResult) => void) => void;

/** The registrations a command line needs, given its first argument (the verb, if any). */
export type VerbRegistrations = (verb: string | undefined) => Promise<Register[]>;

const repair = async () => [(await import("./commands/repair.js")).registerRepairCommands];

/**
 * Each verb's module, imported only when that verb runs: a one-file `triage` never loads the
 * check catalogue, the bundle writer or the repair runbook. Help and unknown verbs load all.
 * A plain object literal, with no statement after it that touches it: the npm bin's per-verb
 * bundles (scripts/build-bin.ts) then drop it, and every verb it names, as unused.
 */
export const VERBS: Readonly<Record<string, () => Promise<Register[]>>> = {
  triage: async () => [(await import("./commands/triage.js")).registerTriageCommand],
  check: async () => [(await import("./commands/check.js")).registerCheckCommand],
  collect: async () => [(await import("./commands/collect.js")).registerCollectCommand],
  repair,
  undo: repair,
  registry: async () => [(await import("./commands/registry.js")).registerRegistryCommand],
  events: async () => [(await import("./commands/events.js")).registerEventsCommand],
  explain: async () => [(await import("./commands/explain.js")).registerExplainCommand],
  fleet: async () => [(await import("./commands/fleet.js")).registerFleetCommand],
};

/** The registrations `argv` needs: its verb's, or every verb's (in help order) for anything else. */
async function verbRegistrations(verb: string | undefined): Promise<Register[]> {
  const one = verb === undefined ? undefined : Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined;
  if (one) return one();
  const all = await Promise.all(
    ["triage", "check", "collect", "repair", "registry", "events", "explain", "fleet"].map((v) =>
      VERBS[v]!(),
    ),
  );
  return all.flat();
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code.
 * @param io - where to write; defaults to the process streams.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  return runCommandLine(argv, verbRegistrations, io);
}

/**
 * {@link main} with the verbs' registrations given: the npm bin's per-verb bundles
 * (scripts/build-bin.ts) pass only their own verb's, so a one-file `triage` bundles, parses and
 * runs nothing of the other verbs.
 */
export async function runCommandLine(
  argv: string[],
  registrations: VerbRegistrations,
  io: CliIo = processIo(),
): Promise<number> {
  io = guardedIo(io, argv[0] !== "registry");
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

  try {
    for (const register of await registrations(argv[0])) register(program, io, run);
    addHelpFooters(program);
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
      io.stderr(`koff-doctor: ${printable(e.path)}: ${e.code}: ${e.reason}\n`);
      return ExitCode.UNREADABLE;
    }
    if (e instanceof CodedError) {
      // A typed error that reached the top is an input the verb could not read (a damaged hive,
      // an unreadable trust file): say what and where, never a stack trace.
      const f = e as CodedError<string> & { offset?: number; path?: string; structure?: string };
      const where = [
        f.path === undefined ? undefined : printable(f.path),
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

/**
 * `io` whose writes pass through {@link guardTerminalText}: stderr always, stdout when
 * `guardStdout` (not for `registry export`, whose stdout is `.reg` data holding the hive's
 * strings byte for byte).
 */
function guardedIo(io: CliIo, guardStdout: boolean): CliIo {
  const stderr = io.stderr;
  const stdout = io.stdout;
  return {
    ...io,
    stderr: (t) => stderr(guardTerminalText(t)),
    stdout: guardStdout ? (t) => stdout(guardTerminalText(t)) : stdout,
  };
}
