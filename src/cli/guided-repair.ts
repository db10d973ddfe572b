/**
 * `repair --guided`: walks the repair ladder on a terminal, one step at a time, reversibly. For
 * each step that has something to change it shows the plan, the exact `undo` command, and asks
 * y/N (default No; end of input is No). Yes applies the step through the journal, re-runs the
 * check and says whether the step's findings cleared; No skips it. Ctrl-C stops between two
 * steps, never inside one, so every journal is complete (exit 130). A summary ends the session:
 * what was applied, skipped and refused, the findings left, and the undo commands.
 *
 * The commands it prints are quoted by src/report/next-step.ts, as every printed command is.
 *
 * Source: docs/runbook.md ("Guided repair").
 */
import { createInterface, type Interface } from "node:readline";
import {
  applyRepair,
  ExitCode,
  planLadder,
  quoteArg,
  shellStyleOf,
  sourceArgs,
  type ShellStyle,
  RunbookError,
  runbookExitCode,
  type PlannedStep,
  type RepairEnvironment,
  type StepId,
} from "../index.js";
import type { CliIo } from "./io.js";
import { describeOperation, renderPlan, renderRefusal } from "./render/repair-text.js";

/** One answer to a y/N question: `interrupt` is Ctrl-C (or SIGINT). */
export type GuidedAnswer = "yes" | "no" | "interrupt";

/** Asks the questions of a guided session. */
export interface GuidedPrompter {
  /** Shows `question` and waits for one answer; end of input is `no`. */
  ask(question: string): Promise<GuidedAnswer>;
  /** True once Ctrl-C or SIGINT was received (checked between steps). */
  interrupted(): boolean;
  close(): void;
}

/** The source options a printed command repeats, so it runs as printed. */
export interface GuidedSource {
  image?: string;
  state?: string;
}

/** What a guided session did, for the summary and tests. */
export interface GuidedOutcome {
  exitCode: number;
  applied: Array<{ step: StepId; runId: string; undo: string }>;
  skipped: StepId[];
  refused: Array<{ step: StepId; code: string }>;
}

/**
 * The source options of a printed command: ` --image DIR --state DIR` (each when given), quoted
 * for `style` by next-step's builder as every other printed command is (empty when neither).
 */
export function guidedSourceArgs(
  source: GuidedSource,
  style: ShellStyle = shellStyleOf(process.platform),
): string {
  const argv = [
    ...(source.image === undefined ? [] : sourceArgs({ mode: "image", image: source.image })),
    ...(source.state === undefined ? [] : ["--state", source.state]),
  ];
  return argv.map((a) => ` ${quoteArg(a, style)}`).join("");
}

/**
 * A prompter over a terminal: readline in terminal mode, so Ctrl-C arrives as a key (never kills
 * the process mid-step) and Ctrl-D as end of input. A SIGINT sent from outside is noted too.
 */
export function terminalPrompter(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): GuidedPrompter {
  const rl: Interface = createInterface({ input, output, terminal: true });
  let closed = false;
  let stop = false;
  let pending: ((a: GuidedAnswer) => void) | undefined;
  const settle = (a: GuidedAnswer) => {
    const p = pending;
    pending = undefined;
    p?.(a);
  };
  const onSignal = () => {
    stop = true;
    settle("interrupt");
  };
  rl.on("SIGINT", onSignal);
  rl.on("close", () => {
    closed = true;
    settle("no");
  });
  process.on("SIGINT", onSignal);
  return {
    ask(question) {
      if (stop) return Promise.resolve("interrupt");
      if (closed) {
        output.write(`${question}n (end of input)\n`);
        return Promise.resolve("no");
      }
      return new Promise((resolve) => {
        pending = resolve;
        rl.question(question, (line) => settle(/^\s*y(es)?\s*$/i.test(line) ? "yes" : "no"));
      });
    },
    interrupted: () => stop,
    close() {
      process.off("SIGINT", onSignal);
      if (!closed) rl.close();
    },
  };
}

/** The finding ids a step was planned to fix that the latest check still reports. */
function stillPresent(findings: string[], report: { findings: Array<{ id: string }> }): string[] {
  return findings.filter((id) => report.findings.some((f) => f.id === id));
}

type LadderStep = PlannedStep & { findings: string[] };

/**
 * Runs a guided session. `open` opens the source afresh (after each applied step the machine is
 * read again); `source` is repeated in every printed command.
 * @returns the exit code: 0 when the ladder was walked, 130 when stopped by Ctrl-C, the runbook
 *   code of a step that failed part-way (its journal says how to finish or undo it).
 */
export async function runGuidedRepair(
  open: () => Promise<RepairEnvironment>,
  source: GuidedSource,
  io: CliIo,
  prompter: GuidedPrompter,
): Promise<GuidedOutcome> {
  const c = io.colors;
  const outcome: GuidedOutcome = { exitCode: ExitCode.OK, applied: [], skipped: [], refused: [] };
  const args = guidedSourceArgs(source);
  let env = await open();
  let ladder = await planLadder(env);
  io.stdout(
    `${c.bold("Guided repair")}: the repair ladder, least invasive first. Each step says what it will change and how to undo it;\nnothing changes unless you answer y. Ctrl-C stops between steps.\n`,
  );
  const visited = new Set<StepId>();
  for (;;) {
    const step: LadderStep | undefined = ladder.steps.find((s) => !visited.has(s.step));
    if (!step || prompter.interrupted()) break;
    visited.add(step.step);
    io.stdout(`\n${renderPlan(step, c, visited.size - 1)}\n`);
    if (step.refusal) {
      outcome.refused.push({ step: step.step, code: step.refusal.code });
      if (step.refusal.code === "refused-malicious") break; // the ladder stops here (docs/runbook.md)
      continue;
    }
    if (step.plan.operations.length === 0) continue; // guided: the instructions above are the step
    io.stdout(`   undo: koff-doctor undo RUN-ID${args}  (the run id is printed once applied)\n`);
    const answer = await prompter.ask(`Apply ${step.step}? [y/N] `);
    if (answer === "interrupt") break;
    if (answer === "no") {
      outcome.skipped.push(step.step);
      io.stdout(`   skipped ${step.step}: nothing changed\n`);
      continue;
    }
    try {
      const { status } = await applyRepair(env, { step: step.step });
      const runId = status.header.runId;
      const undo = `koff-doctor undo ${runId}${args}`;
      outcome.applied.push({ step: step.step, runId, undo });
      for (const op of status.header.operations) io.stdout(`   done: ${describeOperation(op)}\n`);
      io.stdout(`   applied as run ${runId}; undo it with:\n     ${undo}\n`);
    } catch (e) {
      if (!(e instanceof RunbookError)) throw e;
      io.stdout(renderRefusal(e, c));
      if (!e.isRefusal) {
        outcome.exitCode = runbookExitCode(e);
        break;
      }
      outcome.refused.push({ step: step.step, code: e.code });
      continue;
    }
    const before = new Set(ladder.report.findings.map((f) => f.id));
    env = await open();
    ladder = await planLadder(env);
    const left = stillPresent(step.findings, ladder.report);
    const cleared = step.findings.filter((id) => !left.includes(id));
    const arisen = [...new Set(ladder.report.findings.map((f) => f.id))].filter((id) => !before.has(id));
    io.stdout(
      `   re-checked: ${cleared.length ? `${c.green("cleared")} ${cleared.join(", ")}` : "nothing cleared"}${left.length ? `; ${c.yellow("still present")} ${left.join(", ")}` : ""}${arisen.length ? `; now also: ${arisen.join(", ")}` : ""}\n`,
    );
  }
  if (prompter.interrupted()) {
    io.stdout(`\n${c.yellow("Stopped")} (Ctrl-C): no step was left half done.\n`);
    outcome.exitCode = ExitCode.INTERRUPTED;
  }
  io.stdout(renderSummary(outcome, ladder.report.findings, args, c));
  return outcome;
}

function renderSummary(
  o: GuidedOutcome,
  remaining: Array<{ id: string; severity: string }>,
  args: string,
  c: CliIo["colors"],
): string {
  const list = (xs: string[]) => (xs.length ? xs.join(", ") : "none");
  const lines = [
    "",
    c.bold("Summary"),
    `  applied:  ${list(o.applied.map((a) => `${a.step} (run ${a.runId})`))}`,
    `  skipped:  ${list(o.skipped)}`,
  ];
  if (o.refused.length) lines.push(`  refused:  ${list(o.refused.map((r) => `${r.step} (${r.code})`))}`);
  lines.push(`  findings left: ${list([...new Set(remaining.map((f) => `${f.id} (${f.severity})`))])}`);
  if (o.applied.length) {
    lines.push("  to undo, newest first:");
    for (const a of [...o.applied].reverse()) lines.push(`    ${a.undo}`);
  } else lines.push("  nothing was changed.");
  if (o.skipped.length)
    lines.push(`  a skipped step can be applied later: koff-doctor repair --step ID --apply${args}`);
  return `${lines.join("\n")}\n`;
}
