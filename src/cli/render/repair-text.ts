/**
 * Human-readable plans, runs and refusals of `repair` / `undo`: every file, key and command the
 * step touches is listed before anything is done.
 */
import type { PlannedStep, RunStatus, Operation } from "../../runbook/index.js";
import { RunbookError } from "../../runbook/index.js";
import type { CliIo } from "../io.js";

type Colors = CliIo["colors"];

export function describeOperation(op: Operation): string {
  switch (op.kind) {
    case "move": {
      const bytes = op.manifest.reduce((n, m) => n + m.size, 0);
      return `move ${op.windowsPath} → quarantine (${op.manifest.length} file(s), ${bytes} bytes, sha256 manifest kept): ${op.what}`;
    }
    case "hive-edit":
      return `registry ${op.key}: ${op.what} (hive backed up first)\n${op.reg
        .split(/\r?\n/)
        .filter((l) => l && !l.startsWith("Windows Registry"))
        .map((l) => `        ${l}`)
        .join("\n")}`;
    case "mkdir":
      return `create ${op.windowsPath}: ${op.what}`;
    case "reg-delete-key":
      return `reg export "${op.key}" "${op.exportFile}" /y, then reg delete "${op.key}" /f: ${op.what}`;
    case "reg-delete-value":
      return `reg delete "${op.key}" /v "${op.name}" /f (was ${op.type} ${op.data}): ${op.what}`;
    case "defender-exclusion":
      return `Add-MpPreference -ExclusionPath '${op.path}': ${op.what}`;
  }
}

export function renderPlan(p: PlannedStep & { findings?: string[] }, c: Colors, index?: number): string {
  const lines: string[] = [];
  const n = index === undefined ? "" : `${index}. `;
  const tag = p.kind === "guided" ? c.dim(" (guided)") : "";
  lines.push(
    `${c.bold(`${n}${p.step}`)}  ${p.title}${tag}${p.findings?.length ? c.dim(`  fixes: ${p.findings.join(", ")}`) : ""}`,
  );
  if (p.refusal) lines.push(`   ${c.red("refused")}: ${p.refusal.message}`);
  for (const op of p.plan.operations) lines.push(`   - ${describeOperation(op)}`);
  for (const w of p.plan.warnings) lines.push(`   ${c.yellow("!")} ${w}`);
  for (const g of p.plan.guidance) lines.push(`   → ${g}`);
  for (const note of p.notes) lines.push(c.dim(`   (${note})`));
  return lines.join("\n");
}

export function renderRun(s: RunStatus, c: Colors): string {
  const ops = s.header.operations.length;
  return `${c.bold(s.header.runId)}  ${s.header.step}  ${s.state}  ${s.opsDone}/${ops} operation(s)${s.startedAt ? c.dim(`  started ${s.startedAt}`) : ""}`;
}

export function renderRefusal(e: RunbookError, c: Colors): string {
  if (e.isRefusal || e.code === "usage")
    return `${c.red("refused")} (${e.code}): ${e.message}\nNothing was changed.\n`;
  // Not a refusal: the run may have changed things before it stopped. Say how to finish or revert.
  return `${c.red("failed")} (${e.code}): ${e.message}\nThe run may be incomplete: re-run the step to finish it, or undo it (koff-doctor repair --status lists runs).\n`;
}
