/**
 * Human-readable triage: one block per file, verdict first, then each indicator with its level,
 * evidence and the indicator-table cell that fired (docs/verdict.md). Colour only when the CliIo says so.
 */
import type { Level, TriageRecord, Verdict } from "../../triage/index.js";
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

export function renderTriageText(
  records: TriageRecord[],
  c: Colors,
  opts: { verbose?: boolean; summary?: boolean } = {},
): string {
  const lines: string[] = [];
  for (const r of records) {
    lines.push(`${verdictLabel(r.verdict, c)}  ${c.bold(r.path)}`);
    if (r.windowsPath && r.windowsPath !== r.path) lines.push(`  ${c.dim("as")}      ${r.windowsPath}`);
    if (r.sha256) lines.push(`  ${c.dim("sha256")}  ${r.sha256}  ${c.dim(`${r.size} bytes`)}`);
    if (r.carried) lines.push(`  ${c.yellow("carried")} ${r.carried.note} (${r.carried.from})`);
    if (r.error) {
      const where = r.error.offset !== undefined ? ` at offset 0x${r.error.offset.toString(16)}` : "";
      const what = r.error.structure ? ` (${r.error.structure})` : "";
      lines.push(`  ${c.magenta(r.error.code)}: ${r.error.message}${where}${what}`);
    }
    if (r.pe) {
      const v = r.pe.versionInfo?.strings ?? {};
      const id = [v["CompanyName"], v["ProductName"], r.pe.versionInfo?.fileVersion]
        .filter(Boolean)
        .join(" · ");
      lines.push(`  ${c.dim("image")}   ${r.pe.machine} ${r.pe.isDll ? "DLL" : "EXE"}${id ? `  ${id}` : ""}`);
    }
    for (const i of r.indicators) {
      if (!opts.verbose && i.level === "ok") continue;
      lines.push(`  ${levelMark(i.level, c)}  ${i.id.padEnd(19)} ${i.evidence}`);
      if (i.cell) lines.push(`  ${" ".repeat(10)}  ${" ".repeat(19)} ${c.dim(`↳ ${i.cell}`)}`);
    }
    const hidden = r.indicators.filter((i) => i.level === "ok").length;
    if (!opts.verbose && hidden > 0) lines.push(c.dim(`  (${hidden} indicators ok; --verbose shows them)`));
    lines.push("");
  }
  // Streamed output prints each record alone, then renderTriageSummaryTable once at the end.
  if (opts.summary === false) return `${lines.join("\n")}\n`;
  const count = (v: Verdict) => records.filter((r) => r.verdict === v).length;
  lines.push(
    `${records.length} file(s): ${count("clean")} clean, ${count("suspicious")} suspicious, ${count("malicious")} malicious, ${count("error")} unreadable`,
  );
  const carried = records.filter((r) => r.carried).length;
  if (carried > 0)
    lines.push(`${carried} verdict(s) carried in the bundle, not computed here (marked "carried")`);
  return `${lines.join("\n")}\n`;
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
      `  ${verdictLabel(f.verdict, c)}${" ".repeat(10 - f.verdict.length)}  ${f.path}`,
      `  ${" ".repeat(10)}  ${c.dim(f.reason)}`,
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
  const where = folder.length <= room ? folder : `…${folder.slice(folder.length - room + 1)}`;
  return `\r${head}${room > 1 ? where : ""}\x1b[K`;
}

/** Erases the progress line. */
export const clearProgressLine = "\r\x1b[K";
