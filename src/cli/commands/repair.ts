/**
 * `koff-doctor repair [--step ID [--profile NAME] [--user USER] [--apply]] [--status] --image DIR`
 * `koff-doctor repair --guided [--image DIR]` (on a terminal: y/N per step, see guided-repair.ts)
 * `koff-doctor undo [RUN-ID] --image DIR`
 *
 * Without --step: prints the ladder the current findings call for. With --step: prints that
 * step's exact plan, and acts only with --apply. See docs/runbook.md.
 */
import path from "node:path";
import { Option, type Command } from "commander";
import {
  applyRepair,
  ExitCode,
  planLadder,
  planRepair,
  repairEnvironment,
  renderAppliedJson,
  renderLadderJson,
  renderPlanJson,
  renderRefusalJson,
  renderRunsJson,
  renderUndoneJson,
  runbookExitCode,
  RunbookError,
  shellStyleOf,
  STEP_IDS,
  surveyRuns,
  undoRun,
  type DamagedRun,
  type RepairEnvironment,
  type StepId,
} from "../../index.js";
import type { CommandResult } from "../command-result.js";
import type { CliIo } from "../io.js";
import { checkStateDir, collect, parseAt } from "../options.js";
import { openCliSource, sourceSpec } from "../source-options.js";
import { UsageError } from "../usage-error.js";
import { guidedSourceArgs, runGuidedRepair, terminalPrompter } from "../guided-repair.js";
import {
  contextCommand,
  describeOperation,
  dryRunFooter,
  ladderCommands,
  renderPlan,
  renderRefusal,
  renderRun,
  stepCommand,
  type RepairCommandContext,
} from "../render/repair-text.js";

interface CommonFlags {
  image?: string;
  state?: string;
  trust: string[];
  at?: Date;
  json?: boolean;
}

async function environment(flags: CommonFlags, io: CliIo): Promise<RepairEnvironment> {
  if (flags.state !== undefined) await checkStateDir(flags.state);
  const { snapshot } = await openCliSource(
    sourceSpec(flags),
    "pass --image DIR to repair a mounted Windows image",
  );
  return repairEnvironment(snapshot, {
    imageRoot: flags.image,
    stateDir: flags.state,
    trustFiles: flags.trust,
    at: flags.at,
    env: io.env,
  });
}

/** How this run's printed commands name the same source, state folder and trust files again. */
function commandContext(flags: CommonFlags, io: CliIo): RepairCommandContext {
  return {
    source:
      flags.image === undefined
        ? { mode: "live" }
        : { mode: "image", image: path.resolve(io.cwd, flags.image) },
    shell: shellStyleOf(process.platform),
    trust: flags.trust,
    state: flags.state === undefined ? undefined : path.resolve(io.cwd, flags.state),
  };
}

function refused(e: unknown, io: CliIo, flags: CommonFlags): number {
  if (!(e instanceof RunbookError)) throw e;
  if (flags.json) io.stdout(renderRefusalJson(e));
  // A damaged or edited journal is never acted on: its message says what was left where.
  else if (e.code === "journal-corrupt") io.stderr(`${io.colors.red("failed")} (${e.code}): ${e.message}\n`);
  else
    io.stderr(
      renderRefusal(e, io.colors, contextCommand(commandContext(flags, io), ["repair", "--status"]).command),
    );
  return runbookExitCode(e);
}

/** A run whose journal is damaged: what can still be read, and where the by-hand restore is described. */
function renderDamaged(d: DamagedRun, c: CliIo["colors"]): string {
  const lines = [`${c.bold(d.runId)}  ${d.step}  ${c.red("damaged")}: ${d.problem.message}`];
  if (d.quarantine)
    lines.push(
      `   quarantine: ${d.quarantine}${d.quarantineExists ? "" : " (absent: this run moved nothing into quarantine)"}`,
    );
  if (d.manifest) {
    lines.push(`   manifest: ${d.manifestFile}`);
    if (d.manifestProblem)
      lines.push(`   ${c.red("warning")}: the manifest is ${d.manifestProblem}; check every path by hand`);
    for (const op of d.manifest) {
      if (op.kind === "move") {
        lines.push(`   - ${op.windowsPath}: ${op.from} → ${op.to}`);
        for (const f of op.manifest) lines.push(`       ${f.sha256}  ${f.size}  ${f.path || "."}`);
      } else if (op.kind === "hive-edit") {
        lines.push(`   - hive ${op.hive}: original (sha256 ${op.beforeSha256}) kept as ${op.backup}`);
      } else lines.push(`   - ${describeOperation(op)}`);
    }
  } else lines.push(`   manifest: ${d.manifestFile} ${d.manifestProblem ?? "unreadable"}`);
  lines.push(
    `   undo refuses this run; restore by hand: koff-doctor explain restoring-a-damaged-run-by-hand`,
  );
  return lines.join("\n");
}

/**
 * `repair --guided`: refused (64) with other modes of `repair` or without a terminal, where it
 * points to the one-step commands; else the session's exit code (130 when stopped by Ctrl-C).
 */
async function guided(
  flags: CommonFlags & { step?: string; apply?: boolean; status?: boolean },
  io: CliIo,
): Promise<number> {
  if (flags.step !== undefined || flags.apply || flags.status || flags.json)
    throw new UsageError("--guided asks before each step: it takes no --step, --apply, --status or --json");
  const source = {
    image: flags.image === undefined ? undefined : path.resolve(io.cwd, flags.image),
    state: flags.state === undefined ? undefined : path.resolve(io.cwd, flags.state),
  };
  if (!io.terminal) {
    const args = guidedSourceArgs(source);
    throw new UsageError(
      `--guided needs a terminal (stdin and stdout); without one, list the steps with koff-doctor repair${args} and apply one with koff-doctor repair --step ID --apply${args}`,
    );
  }
  const prompter = terminalPrompter(io.terminal.input, io.terminal.output);
  try {
    return (await runGuidedRepair(() => environment(flags, io), source, io, prompter)).exitCode;
  } finally {
    prompter.close();
  }
}

const shared = (cmd: Command) =>
  cmd
    .option("--image <dir>", "root of a mounted or copied Windows system volume")
    .option(
      "--state <dir>",
      "where journals, exports and the lock are kept (default: per image, under $XDG_STATE_HOME/koff-doctor)",
    )
    .option("--trust <file>", "also trust the certificates in FILE (PEM or DER); repeatable", collect, [])
    .option("--at <iso-8601>", "verify signatures as of this time", parseAt)
    .option("--json", "print JSON");

// `repair` and `undo` are declared option by option (commander's builder chain), each action a
// few lines handing over to the helpers above: long on purpose.
export function registerRepairCommands(program: Command, io: CliIo, done: (r: CommandResult) => void): void {
  shared(
    program
      .command("repair")
      .description("walk the KB's repair ladder: plan by default, act with --apply, reversible with undo")
      .addOption(new Option("--step <id>", "the step to plan or apply").choices([...STEP_IDS]))
      .option("--profile <name>", "the Outlook profile (or cache) the step acts on")
      .option("--user <name>", "the Windows user whose profile is meant")
      .option("--apply", "carry the step out (journal first, nothing deleted)")
      .option("--status", "list past runs")
      .option("--guided", "on a terminal: walk the ladder step by step, asking y/N before each change"),
  ).action(
    async (
      flags: CommonFlags & {
        step?: StepId;
        profile?: string;
        user?: string;
        apply?: boolean;
        status?: boolean;
        guided?: boolean;
      },
    ) => {
      if (flags.guided) {
        done({ exitCode: await guided(flags, io) });
        return;
      }
      if (flags.apply && !flags.step) {
        io.stderr(
          renderRefusal(
            new RunbookError("usage", "--apply needs --step ID: the tool acts one step at a time"),
            io.colors,
          ),
        );
        done({ exitCode: ExitCode.USAGE });
        return;
      }
      const env = await environment(flags, io);
      if (flags.status) {
        const { runs, damaged } = await surveyRuns(env);
        if (flags.json) io.stdout(renderRunsJson(env.stateDir, runs, damaged));
        else if (runs.length === 0 && damaged.length === 0) io.stdout("No runs yet.\n");
        else
          io.stdout(
            `${[...runs.map((r) => renderRun(r, io.colors)), ...damaged.map((d) => renderDamaged(d, io.colors))].join("\n")}\n`,
          );
        done({ exitCode: ExitCode.OK });
        return;
      }
      if (!flags.step) {
        const ladder = await planLadder(env);
        if (flags.json) io.stdout(renderLadderJson(ladder));
        else {
          io.stdout(
            `${io.colors.bold("Repair ladder")} (least invasive first; nothing is changed without --step ID --apply)\n\n`,
          );
          const ctx = commandContext(flags, io);
          const plans = ladder.steps.map((s, i) =>
            [
              renderPlan(s, io.colors, i),
              ...ladderCommands(ctx, s.step, ladder.report.findings).map(
                (cmd) => `   ${io.colors.dim("plan:")} ${cmd.command}`,
              ),
            ].join("\n"),
          );
          io.stdout(`${plans.join("\n\n")}\n`);
        }
        done({ exitCode: ExitCode.OK });
        return;
      }
      const req = { step: flags.step, profile: flags.profile, user: flags.user };
      if (!flags.apply) {
        const planned = await planRepair(env, req);
        if (flags.json) io.stdout(renderPlanJson(planned));
        else
          io.stdout(
            `${renderPlan(planned, io.colors)}\n\n${planned.refusal ? "" : dryRunFooter(stepCommand(commandContext(flags, io), flags.step, req, true), io.colors)}`,
          );
        done({ exitCode: planned.refusal ? runbookExitCode(planned.refusal) : ExitCode.OK });
        return;
      }
      try {
        const result = await applyRepair(env, req);
        if (flags.json) io.stdout(renderAppliedJson(result));
        else {
          if (result.resumed)
            io.stdout(`Resumed and completed the interrupted run ${result.status.header.runId}.\n`);
          for (const w of result.status.header.warnings) io.stdout(`${io.colors.yellow("!")} ${w}\n`);
          for (const op of result.status.header.operations) io.stdout(`done: ${describeOperation(op)}\n`);
          for (const g of result.status.header.guidance) io.stdout(`→ ${g}\n`);
          if (result.status.header.runId)
            io.stdout(
              `Run ${result.status.header.runId} complete. Revert it with: ${contextCommand(commandContext(flags, io), ["undo", result.status.header.runId]).command}\n`,
            );
        }
        done({ exitCode: ExitCode.OK });
      } catch (e) {
        done({ exitCode: refused(e, io, flags) });
      }
    },
  );

  shared(
    program
      .command("undo")
      .description("revert a repair run byte for byte (default: the latest)")
      .argument("[run-id]", "run to revert"),
  ).action(async (runId: string | undefined, flags: CommonFlags) => {
    const env = await environment(flags, io);
    try {
      const status = await undoRun(env, runId);
      if (flags.json) io.stdout(renderUndoneJson(status));
      else
        io.stdout(
          `Run ${status.header.runId} (${status.header.step}) is undone: ${status.header.operations.length} operation(s) reverted.\n`,
        );
      done({ exitCode: ExitCode.OK });
    } catch (e) {
      done({ exitCode: refused(e, io, flags) });
    }
  });
}
