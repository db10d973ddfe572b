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
import { printable } from "../terminal-text.js";

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
  /** `false`: one streamed record alone, without the run's closing lines (the sink prints them). */
  summary?: boolean;
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
      lines.push(
        `${verdictLabel(r.verdict, c)}  ${c.bold(printable(r.path))}${as ? c.dim(`  (${printable(as)})`) : ""}`,
      );
      continue;
    }
    if (lines.length > 0 && lines.at(-1) !== "") lines.push("");
    lines.push(`${verdictLabel(r.verdict, c)}  ${c.bold(printable(r.path))}`);
    if (as) lines.push(`  ${c.dim("as")}      ${printable(as)}`);
    if (r.sha256) lines.push(`  ${c.dim("sha256")}  ${r.sha256}  ${c.dim(`${r.size} bytes`)}`);
    if (r.carried)
      lines.push(`  ${c.yellow("carried")} ${printable(r.carried.note)} (${printable(r.carried.from)})`);
    if (r.error) {
      const where = r.error.offset !== undefined ? ` at offset 0x${r.error.offset.toString(16)}` : "";
      const what = r.error.structure ? ` (${printable(r.error.structure)})` : "";
      lines.push(`  ${c.magenta("unreadable")}: ${printable(r.error.message)}${where}${what}`);
    }
    if (r.pe) {
      const v = r.pe.versionInfo?.strings ?? {};
      // The version resource is the file's own text: printed escaped, like every name.
      const id = printable(
        [v["CompanyName"], v["ProductName"], r.pe.versionInfo?.fileVersion].filter(Boolean).join(" · "),
      );
      lines.push(`  ${c.dim("image")}   ${r.pe.machine} ${r.pe.isDll ? "DLL" : "EXE"}${id ? `  ${id}` : ""}`);
    }
    for (const i of r.indicators) {
      if (!opts.verbose && (i.level === "ok" || isModeUnknown(i))) continue;
      lines.push(`  ${levelMark(i.level, c)}  ${i.id.padEnd(19)} ${printable(i.evidence)}`);
      if (i.cell) lines.push(`  ${" ".repeat(10)}  ${" ".repeat(19)} ${c.dim(`↳ ${i.cell}`)}`);
    }
    const hidden = r.indicators.filter((i) => i.level === "ok").length;
    if (!opts.verbose && hidden > 0) lines.push(c.dim(`  (${hidden} indicators ok; --verbose shows them)`));
    lines.push("");
  }
  // Streamed output prints each record alone, then the sink prints the closing lines once.
  if (opts.summary === false) return `${lines.join("\n")}\n`;
  if (lines.length > 0 && lines.at(-1) !== "") lines.push("");
  const count = (v: Verdict) => records.filter((r) => r.verdict === v).length;
  lines.push(
    `${records.length} file(s): ${count("clean")} clean, ${count("suspicious")} suspicious, ${count("malicious")} malicious, ${count("error")} unreadable`,
  );
  const carried = records.filter((r) => r.carried).length;
  if (carried > 0)
    lines.push(`${carried} verdict(s) carried in the bundle, not computed here (marked "carried")`);
  lines.push(...closingLines(modeUnknown, records, c, opts));
  return `${lines.join("\n")}\n`;
}

/** The indicator ids of `r` that are unknown only because the mode cannot see them. */
export function modeUnknownIds(r: TriageRecord): string[] {
  return r.indicators.filter(isModeUnknown).map((i) => i.id);
}

/**
 * The run's closing lines after the counts: what no file could show in this mode (said once), then
 * the next steps for the worst of `flagged` (see {@link triageNextSteps}; the first malicious and
 * the first suspicious record are enough).
 */
export function closingLines(
  modeUnknown: ReadonlySet<string>,
  flagged: readonly TriageRecord[],
  c: Colors,
  opts: TriageTextOptions = {},
): string[] {
  const lines: string[] = [];
  if (modeUnknown.size > 0 && !opts.verbose)
    lines.push(
      c.dim(`Not visible in this mode: ${[...modeUnknown].map((id) => MODE_UNKNOWN[id]).join(", ")}.`),
    );
  const steps = triageNextSteps(flagged, opts);
  if (steps.length > 0) lines.push("");
  steps.forEach((s, i) => {
    const label = i === 0 ? "next:" : "more:";
    lines.push(`${c.dim(label)} ${s.command}`);
  });
  return lines;
}

/** One flagged file of the closing table. */
export interface FlaggedFile {
  path: string;
  verdict: "malicious" | "suspicious";
  /** The evidence of its worst indicator, in one line. */
  reason: string;
}

/** Flagged files the closing table names; the rest are counted. */
export const SUMMARY_TABLE_ROWS = 200;

/** Longest reason the closing table prints (the record has the rest). */
const REASON_CHARS = 240;

/**
 * The one-line reason of a flagged record: the indicators at the record's verdict, then the
 * evidence of the first, cut to {@link REASON_CHARS}.
 */
export function flaggedFile(r: TriageRecord): FlaggedFile | undefined {
  if (r.verdict !== "malicious" && r.verdict !== "suspicious") return undefined;
  const at = r.indicators.filter((i) => i.level === r.verdict);
  const evidence = (at[0]?.evidence ?? r.verdict).replace(/\s+/g, " ");
  const reason = at.length > 0 ? `${at.map((i) => i.id).join(", ")}: ${evidence}` : evidence;
  const cut = reason.length > REASON_CHARS ? `${reason.slice(0, REASON_CHARS - 1)}…` : reason;
  return { path: r.path, verdict: r.verdict, reason: cut };
}

/**
 * The closing table of a triage run: files per verdict, then every malicious and suspicious
 * file, worst first (input order within a verdict), each with its one-line reason. The first
 * {@link SUMMARY_TABLE_ROWS} are named; more are counted.
 * @param interrupted - the run was stopped before every file was judged (Ctrl-C).
 */
export function renderTriageSummaryTable(
  counts: Record<Verdict, number>,
  flagged: readonly FlaggedFile[],
  c: Colors,
  opts: { found?: number; interrupted?: boolean; carried?: number } = {},
): string {
  const judged = counts.clean + counts.suspicious + counts.malicious + counts.error;
  const lines: string[] = [];
  const of = opts.found !== undefined && opts.found !== judged ? ` of ${opts.found} found` : "";
  lines.push(c.bold(`Summary: ${judged} file(s) judged${of}${opts.interrupted ? " (interrupted)" : ""}`));
  for (const v of ["malicious", "suspicious", "error", "clean"] as const) {
    const label = v === "error" ? "unreadable" : v;
    lines.push(`  ${String(counts[v]).padStart(7)}  ${label}`);
  }
  const worstFirst = [...flagged].sort((a, b) =>
    a.verdict === b.verdict ? 0 : a.verdict === "malicious" ? -1 : 1,
  );
  if (worstFirst.length > 0) lines.push("", c.bold("Flagged, worst first:"));
  for (const f of worstFirst.slice(0, SUMMARY_TABLE_ROWS))
    lines.push(
      `  ${verdictLabel(f.verdict, c)}${" ".repeat(10 - f.verdict.length)}  ${printable(f.path)}`,
      `  ${" ".repeat(10)}  ${c.dim(printable(f.reason))}`,
    );
  if (worstFirst.length > SUMMARY_TABLE_ROWS)
    lines.push(`  … and ${worstFirst.length - SUMMARY_TABLE_ROWS} more (--only suspicious lists them all)`);
  if (opts.carried)
    lines.push(`${opts.carried} verdict(s) carried in the bundle, not computed here (marked "carried")`);
  return `${lines.join("\n")}\n`;
}

/**
 * The progress line (stderr, terminals only): files done out of files found, throughput and the
 * folder being read, cut to `columns`. Starts with a carriage return and clears the rest of the
 * line, so each call overwrites the last; {@link clearProgressLine} erases it.
 */
export function renderProgressLine(
  done: number,
  found: number,
  bytesPerSecond: number,
  folder: string,
  columns = 80,
): string {
  const head = `triage ${done}/${found} files · ${(bytesPerSecond / 1e6).toFixed(1)} MB/s · `;
  const room = Math.max(0, columns - 1 - head.length);
  const shown = printable(folder);
  const where = shown.length <= room ? shown : `…${shown.slice(shown.length - room + 1)}`;
  return `\r${head}${room > 1 ? where : ""}\x1b[K`;
}

/** Erases the progress line. */
export const clearProgressLine = "\r\x1b[K";
