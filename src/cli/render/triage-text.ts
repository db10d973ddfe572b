/**
 * Human-readable triage: one block per file, verdict first, then each indicator with its level,
 * evidence and the indicator-table cell that fired (docs/verdict.md); a clean file is one line
 * unless `--verbose`. What the mode cannot see for any file (processes, connections) is said
 * once at the end, then the command to run next when a file is worth acting on (built by
 * src/report/next-step.ts). Colour only when the CliIo says so.
 */
import type { Indicator, Level, TriageRecord, Verdict } from "../../triage/index.js";
import {
  explainStep,
  nextStep,
  repairStep,
  type CommandSource,
  type NextStep,
  type ShellStyle,
} from "../../report/next-step.js";
import type { CliIo } from "../io.js";

type Colors = CliIo["colors"];

function verdictLabel(v: Verdict, c: Colors): string {
  const text = v.toUpperCase();
  switch (v) {
    case "clean":
      return c.green(c.bold(text));
    case "suspicious":
      return c.yellow(c.bold(text));
    case "malicious":
      return c.red(c.bold(text));
    case "error":
      return c.magenta(c.bold(text));
  }
}

function levelMark(l: Level, c: Colors): string {
  switch (l) {
    case "ok":
      return c.green("ok        ");
    case "suspicious":
      return c.yellow("suspicious");
    case "malicious":
      return c.red("malicious ");
    case "unknown":
      return c.dim("unknown   ");
  }
}

/** Indicators no mode but live can see: said once for the run, not per file. */
const MODE_UNKNOWN: Record<string, string> = {
  process: "which processes load each file",
  "cpu-network": "their network connections",
};

/** An indicator that is unknown only because the mode cannot see it (processes, connections). */
function isModeUnknown(i: Indicator): boolean {
  return i.level === "unknown" && i.id in MODE_UNKNOWN && /^this mode cannot see\b/.test(i.evidence);
}

/** How {@link renderTriageText} writes. */
export interface TriageTextOptions {
  /** Show every indicator, and clean files in full. */
  verbose?: boolean;
  /** Where the files were read (`--image DIR`, `--bundle FILE`), for the next-step command; absent for plain files. */
  source?: CommandSource;
  /** The shell printed commands are quoted for; default `posix`. */
  shell?: ShellStyle;
}

/**
 * What to run next for `records`, worst first: for a malicious file in an image, the repair
 * step that quarantines planted copies; for a suspicious one, the full check of the image or
 * bundle; then the doc page of the worst indicator that fired. Nothing when every file is clean.
 */
export function triageNextSteps(records: readonly TriageRecord[], opts: TriageTextOptions = {}): NextStep[] {
  const shell = opts.shell ?? "posix";
  const flagged = records.filter((r) => r.verdict === "malicious" || r.verdict === "suspicious");
  if (flagged.length === 0) return [];
  const malicious = flagged.some((r) => r.verdict === "malicious");
  const steps: NextStep[] = [];
  const source = opts.source;
  if (source?.mode === "image")
    steps.push(
      malicious
        ? repairStep("rule-out-infection", source, shell)
        : nextStep(["check", "--image", source.image], shell),
    );
  else if (source?.mode === "bundle") steps.push(nextStep(["check", "--bundle", source.bundle], shell));
  else if (malicious) steps.push(explainStep("rule-out-infection", shell));
  const worst = flagged.find((r) => r.verdict === (malicious ? "malicious" : "suspicious"))!;
  const fired = worst.indicators.find((i) => i.level === worst.verdict);
  if (fired) steps.push(explainStep(fired.id, shell));
  return steps;
}

export function renderTriageText(records: TriageRecord[], c: Colors, opts: TriageTextOptions = {}): string {
  const lines: string[] = [];
  const modeUnknown = new Set<string>();
  for (const r of records) {
    for (const i of r.indicators) if (isModeUnknown(i)) modeUnknown.add(i.id);
    const as = r.windowsPath && r.windowsPath !== r.path ? r.windowsPath : undefined;
    if (r.verdict === "clean" && !opts.verbose) {
      lines.push(`${verdictLabel(r.verdict, c)}  ${c.bold(r.path)}${as ? c.dim(`  (${as})`) : ""}`);
      continue;
    }
    if (lines.length > 0 && lines.at(-1) !== "") lines.push("");
    lines.push(`${verdictLabel(r.verdict, c)}  ${c.bold(r.path)}`);
    if (as) lines.push(`  ${c.dim("as")}      ${as}`);
    if (r.sha256) lines.push(`  ${c.dim("sha256")}  ${r.sha256}  ${c.dim(`${r.size} bytes`)}`);
    if (r.carried) lines.push(`  ${c.yellow("carried")} ${r.carried.note} (${r.carried.from})`);
    if (r.error) {
      const where = r.error.offset !== undefined ? ` at offset 0x${r.error.offset.toString(16)}` : "";
      const what = r.error.structure ? ` (${r.error.structure})` : "";
      lines.push(`  ${c.magenta("unreadable")}: ${r.error.message}${where}${what}`);
    }
    if (r.pe) {
      const v = r.pe.versionInfo?.strings ?? {};
      const id = [v["CompanyName"], v["ProductName"], r.pe.versionInfo?.fileVersion]
        .filter(Boolean)
        .join(" · ");
      lines.push(`  ${c.dim("image")}   ${r.pe.machine} ${r.pe.isDll ? "DLL" : "EXE"}${id ? `  ${id}` : ""}`);
    }
    for (const i of r.indicators) {
      if (!opts.verbose && (i.level === "ok" || isModeUnknown(i))) continue;
      lines.push(`  ${levelMark(i.level, c)}  ${i.id.padEnd(19)} ${i.evidence}`);
      if (i.cell) lines.push(`  ${" ".repeat(10)}  ${" ".repeat(19)} ${c.dim(`↳ ${i.cell}`)}`);
    }
    const hidden = r.indicators.filter((i) => i.level === "ok").length;
    if (!opts.verbose && hidden > 0) lines.push(c.dim(`  (${hidden} indicators ok; --verbose shows them)`));
    lines.push("");
  }
  if (lines.length > 0 && lines.at(-1) !== "") lines.push("");
  const count = (v: Verdict) => records.filter((r) => r.verdict === v).length;
  lines.push(
    `${records.length} file(s): ${count("clean")} clean, ${count("suspicious")} suspicious, ${count("malicious")} malicious, ${count("error")} unreadable`,
  );
  const carried = records.filter((r) => r.carried).length;
  if (carried > 0)
    lines.push(`${carried} verdict(s) carried in the bundle, not computed here (marked "carried")`);
  if (modeUnknown.size > 0 && !opts.verbose)
    lines.push(
      c.dim(`Not visible in this mode: ${[...modeUnknown].map((id) => MODE_UNKNOWN[id]).join(", ")}.`),
    );
  const steps = triageNextSteps(records, opts);
  if (steps.length > 0) lines.push("");
  steps.forEach((s, i) => {
    const label = i === 0 ? "next:" : "more:";
    lines.push(`${c.dim(label)} ${s.command}`);
  });
  return `${lines.join("\n")}\n`;
}
