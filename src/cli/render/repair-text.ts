/**
 * Human-readable plans, runs and refusals of `repair` / `undo`: every file, key and command the
 * step touches is listed before anything is done, and the commands to go on (apply, plan one
 * step, undo, list runs) are printed whole, with the source, profile and state folder they need
 * (src/report/next-step.ts), so each runs as printed.
 */
import type { Finding } from "../../check/finding.js";
import {
  nextStep,
  repairStep,
  sourceArgs,
  targetOf,
  type CommandSource,
  type NextStep,
  type ShellStyle,
} from "../../report/next-step.js";
import type { PlannedStep, RunStatus, Operation, StepId } from "../../runbook/index.js";
import { RunbookError } from "../../runbook/index.js";
import type { CliIo } from "../io.js";
import { printable } from "../terminal-text.js";

type Colors = CliIo["colors"];

/**
 * One operation in words. Paths, keys, names and data come from the machine (a planted DLL's
 * folder, a profile name): each goes through {@link printable}, so the plan the admin confirms
 * shows what will be touched (the terminal filter lets colour and erase-line sequences through).
 */
export function describeOperation(op: Operation): string {
  const p = printable;
  switch (op.kind) {
    case "move": {
      const bytes = op.manifest.reduce((n, m) => n + m.size, 0);
      return `move ${p(op.windowsPath)} → quarantine (${op.manifest.length} file(s), ${bytes} bytes, sha256 manifest kept): ${p(op.what)}`;
    }
    case "hive-edit":
      return `registry ${p(op.key)}: ${p(op.what)} (hive backed up first)\n${op.reg
        .split(/\r?\n/)
        .filter((l) => l && !l.startsWith("Windows Registry"))
        .map((l) => `        ${p(l)}`)
        .join("\n")}`;
    case "mkdir":
      return `create ${p(op.windowsPath)}: ${p(op.what)}`;
    case "reg-delete-key":
      return `reg export "${p(op.key)}" "${p(op.exportFile)}" /y, then reg delete "${p(op.key)}" /f: ${p(op.what)}`;
    case "reg-delete-value":
      return `reg delete "${p(op.key)}" /v "${p(op.name)}" /f (was ${p(op.type)} ${p(op.data)}): ${p(op.what)}`;
    case "defender-exclusion":
      return `Add-MpPreference -ExclusionPath '${p(op.path)}': ${p(op.what)}`;
  }
}

export function renderPlan(p: PlannedStep & { findings?: string[] }, c: Colors, index?: number): string {
  const lines: string[] = [];
  const n = index === undefined ? "" : `${index}. `;
  const tag = p.kind === "guided" ? c.dim(" (guided)") : "";
  lines.push(
    `${c.bold(`${n}${p.step}`)}  ${p.title}${tag}${p.findings?.length ? c.dim(`  fixes: ${p.findings.join(", ")}`) : ""}`,
  );
  // Refusals, warnings, guidance and notes quote paths and names of the machine, as operations do.
  if (p.refusal) lines.push(`   ${c.red("refused")}: ${printable(p.refusal.message)}`);
  for (const op of p.plan.operations) lines.push(`   - ${describeOperation(op)}`);
  for (const w of p.plan.warnings) lines.push(`   ${c.yellow("!")} ${printable(w)}`);
  // Before the step runs, its guidance is said as what would happen (`Would add …`).
  for (const g of p.plan.preview ?? p.plan.guidance) lines.push(`   → ${printable(g)}`);
  for (const note of p.notes) lines.push(c.dim(`   (${printable(note)})`));
  return lines.join("\n");
}

export function renderRun(s: RunStatus, c: Colors): string {
  const ops = s.header.operations.length;
  return `${c.bold(s.header.runId)}  ${s.header.step}  ${s.state}  ${s.opsDone}/${ops} operation(s)${s.startedAt ? c.dim(`  started ${s.startedAt}`) : ""}`;
}

/**
 * A refusal or failure for stderr.
 * @param status - the `repair --status` command of this source, named when a run may be incomplete.
 */
export function renderRefusal(e: RunbookError, c: Colors, status = "koff-doctor repair --status"): string {
  if (e.isRefusal || e.code === "usage")
    return `${c.red("refused")} (${e.code}): ${e.message}\nNothing was changed.\n`;
  // Not a refusal: the run may have changed things before it stopped. Say how to finish or revert.
  return `${c.red("failed")} (${e.code}): ${e.message}\nThe run may be incomplete: re-run the step to finish it, or undo it (${status} lists runs).\n`;
}

/** Where a repair or undo runs and how its commands are written: the same flags again. */
export interface RepairCommandContext {
  source: CommandSource;
  shell: ShellStyle;
  /** `--trust` files of this run. */
  trust: readonly string[];
  /** `--state DIR`, when given. */
  state?: string;
}

/** A koff-doctor command of this context: `argv`, then the source and state flags. */
export function contextCommand(ctx: RepairCommandContext, argv: readonly string[]): NextStep {
  return nextStep(
    [...argv, ...sourceArgs(ctx.source), ...(ctx.state === undefined ? [] : ["--state", ctx.state])],
    ctx.shell,
  );
}

/** The `repair --step` command of `step` in this context, narrowed by `target`, planned or applied. */
export function stepCommand(
  ctx: RepairCommandContext,
  step: StepId,
  target: { profile?: string; user?: string } = {},
  apply = false,
): NextStep {
  return repairStep(step, ctx.source, ctx.shell, { ...target, trust: ctx.trust, state: ctx.state, apply });
}

/**
 * The `plan:` commands of a ladder step: one per profile or cache its findings name (a step that
 * acts on one profile refuses to guess among several), else one for the step.
 */
export function ladderCommands(
  ctx: RepairCommandContext,
  step: StepId,
  findings: ReadonlyArray<Pick<Finding, "remedy" | "evidence">>,
): NextStep[] {
  const byCommand = new Map<string, NextStep>();
  for (const f of findings.filter((x) => x.remedy === step)) {
    const s = stepCommand(ctx, step, targetOf(f));
    byCommand.set(s.command, s);
  }
  return byCommand.size > 0 ? [...byCommand.values()] : [stepCommand(ctx, step)];
}

/** The lines after a dry run: nothing changed, and the command that carries the step out. */
export function dryRunFooter(apply: NextStep, c: Colors): string {
  return `Dry run: nothing was changed. To carry it out:\n  ${c.dim("apply:")} ${apply.command}\n`;
}
