/**
 * Where `triage` records go, as they are produced: text blocks, JSON Lines (one record per line),
 * or one JSON document written piece by piece (docs/json-contract.md); then the closing summary
 * table (text). SARIF and `--html` need every record at once, so only they hold the records.
 * Whatever the format, the sink keeps only counts and the flagged files' one-line reasons, so a
 * whole-disk run prints as it goes in flat memory. On a terminal, a progress line on stderr
 * (files done out of found, MB/s, current folder) is redrawn at most every
 * {@link PROGRESS_INTERVAL_MS} and erased before anything else is written there and at the end.
 */
import path from "node:path";
import { ExitCode, triageExitCode } from "../report/exit-codes.js";
import type { ReportedPolicy } from "../report/report-types.js";
import { renderTriageJsonLine, TriageJsonWriter } from "../report/triage-json.js";
import type { TriageRecord, Verdict } from "../triage/index.js";
import type { CommandSource, ShellStyle } from "../report/next-step.js";
import type { CliIo } from "./io.js";
import { writeReport } from "./options.js";
import { renderExplain } from "./render/explain.js";
import { renderTriageHtml } from "./render/html-report.js";
import { renderTriageSarif } from "./render/triage-sarif.js";
import {
  clearProgressLine,
  closingLines,
  flaggedFile,
  modeUnknownIds,
  renderProgressLine,
  renderTriageSummaryTable,
  renderTriageText,
  type FlaggedFile,
} from "./render/triage-text.js";

/** Output format of `triage`. */
export type TriageFormat = "text" | "json" | "jsonl" | "sarif";

/** Redraws of the progress line at most this often. */
export const PROGRESS_INTERVAL_MS = 100;

export interface TriageSinkOptions {
  format: TriageFormat;
  policy: ReportedPolicy;
  verbose?: boolean;
  explain?: boolean;
  /** Also write the HTML report to this file at the end. */
  html?: string;
  /** Which records are printed (all are counted): `--only`, `--provider-like`. */
  keep?: (r: TriageRecord) => boolean;
  /** Files found (for the progress line and the summary). */
  found: number;
  /** Show the progress line (stderr is a terminal). */
  progress: boolean;
  /** Where the files were read (`--image`, `--bundle`), for the printed next step. */
  source?: CommandSource;
  /** The shell printed commands are quoted for; default `posix`. */
  shell?: ShellStyle;
  /** The directory SARIF URIs are relative to (`%SRCROOT%`); default the process's. */
  cwd?: string;
}

/** Prints triage records as they come and the closing summary; see the module header. */
export class TriageSink {
  readonly #io: CliIo;
  readonly #o: TriageSinkOptions;
  readonly #json = new TriageJsonWriter();
  readonly #counts: Record<Verdict, number> = { clean: 0, suspicious: 0, malicious: 0, error: 0 };
  readonly #flagged: FlaggedFile[] = [];
  /** Only for SARIF and HTML, which print every record at once. */
  readonly #held: TriageRecord[] = [];
  readonly #explained: string[] = [];
  /** Indicators no file could show in this mode, said once at the end. */
  readonly #modeUnknown = new Set<string>();
  /** The first malicious and the first suspicious record: enough for the next steps. */
  #firstMalicious: TriageRecord | undefined;
  #firstSuspicious: TriageRecord | undefined;
  readonly #started = Date.now();
  #carried = 0;
  #bytes = 0;
  #lastDrawn = 0;
  #progressShown = false;
  #folder = "";

  constructor(io: CliIo, options: TriageSinkOptions) {
    this.#io = io;
    this.#o = options;
    if (options.format === "json") io.stdout(this.#json.head(options.policy));
  }

  /** Files judged so far. */
  get judged(): number {
    return this.#counts.clean + this.#counts.suspicious + this.#counts.malicious + this.#counts.error;
  }

  /** The exit code of the records seen so far (docs/exit-codes.md). */
  exitCode(): number {
    const seen = (Object.keys(this.#counts) as Verdict[]).filter((v) => this.#counts[v] > 0);
    return triageExitCode(seen.map((verdict) => ({ verdict })));
  }

  /** One line on stderr (a refused input), below the progress line. */
  say(line: string): void {
    this.#clearProgress();
    this.#io.stderr(line);
  }

  /** Prints (or holds) one record. */
  record(r: TriageRecord): void {
    this.#counts[r.verdict]++;
    this.#bytes += r.size;
    if (r.carried) this.#carried++;
    const flagged = flaggedFile(r);
    if (flagged) this.#flagged.push(flagged);
    for (const id of modeUnknownIds(r)) this.#modeUnknown.add(id);
    if (r.verdict === "malicious") this.#firstMalicious ??= r;
    if (r.verdict === "suspicious") this.#firstSuspicious ??= r;
    this.#folder = path.dirname(r.path);
    if (this.#o.keep === undefined || this.#o.keep(r)) this.#print(r);
    this.#drawProgress();
  }

  #print(r: TriageRecord): void {
    const io = this.#io;
    if (this.#o.html !== undefined || this.#o.format === "sarif") this.#held.push(r);
    switch (this.#o.format) {
      case "json":
        io.stdout(this.#json.record(r));
        break;
      case "jsonl":
        io.stdout(renderTriageJsonLine(r));
        break;
      case "text":
        this.#clearProgress();
        io.stdout(renderTriageText([r], io.colors, { verbose: this.#o.verbose, summary: false }));
        if (this.#o.explain) this.#explained.push(renderExplain([r], io.colors));
        break;
      case "sarif":
        break;
    }
  }

  /** Ends the output: the JSON document's close, the SARIF log, or the summary table; the HTML report. */
  async end(opts: { interrupted?: boolean } = {}): Promise<void> {
    const io = this.#io;
    this.#clearProgress();
    if (this.#o.html !== undefined)
      await writeReport(this.#o.html, renderTriageHtml(this.#held, this.#o.policy));
    switch (this.#o.format) {
      case "json":
        io.stdout(this.#json.tail());
        break;
      case "jsonl":
        break;
      case "sarif":
        io.stdout(renderTriageSarif(this.#held, this.#o.cwd ?? process.cwd()));
        break;
      case "text":
        for (const e of this.#explained) io.stdout(e);
        io.stdout(
          renderTriageSummaryTable(this.#counts, this.#flagged, io.colors, {
            found: this.#o.found,
            interrupted: opts.interrupted,
            carried: this.#carried,
          }),
        );
        {
          const worst = [this.#firstMalicious, this.#firstSuspicious].filter((r) => r !== undefined);
          const closing = closingLines(this.#modeUnknown, worst, io.colors, {
            verbose: this.#o.verbose,
            source: this.#o.source,
            shell: this.#o.shell,
          });
          if (closing.length > 0) io.stdout(`${closing.join("\n")}\n`);
        }
        break;
    }
  }

  #drawProgress(): void {
    if (!this.#o.progress) return;
    const now = Date.now();
    if (now - this.#lastDrawn < PROGRESS_INTERVAL_MS) return;
    this.#lastDrawn = now;
    const seconds = Math.max(0.001, (now - this.#started) / 1000);
    this.#io.stderr(
      renderProgressLine(
        this.judged,
        this.#o.found,
        this.#bytes / seconds,
        this.#folder,
        this.#io.columns?.(),
      ),
    );
    this.#progressShown = true;
  }

  #clearProgress(): void {
    if (!this.#progressShown) return;
    this.#io.stderr(clearProgressLine);
    this.#progressShown = false;
  }
}

/** The exit code of an interrupted run (docs/exit-codes.md). */
export const INTERRUPTED_EXIT = ExitCode.INTERRUPTED;
