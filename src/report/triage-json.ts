/**
 * `triage --json`: the triage records as one JSON document, schema version 1. The document's
 * fields and their meaning are docs/json-contract.md "koff-doctor triage --json"; verdicts and
 * indicators are defined in docs/verdict.md.
 */
import type { ReportedPolicy } from "./report-types.js";
import type { TriageRecord, Verdict } from "../triage/index.js";
import { toolInfo } from "../version.js";
import { stringifyJson, toJsonText, type ToolInfo } from "./json-text.js";

/** Files per verdict. */
export type TriageSummary = Record<Verdict, number>;

/** The `triage --json` document (docs/json-contract.md). */
export interface TriageJsonDocument {
  schemaVersion: 1;
  tool: ToolInfo;
  policy: ReportedPolicy;
  /** One record per file, in input order. */
  files: TriageRecord[];
  /** Files per verdict; after `files`, as a streamed document can only know it at the end. */
  summary: TriageSummary;
}

/** How many of `records` have each verdict. */
export function summarizeVerdicts(records: readonly TriageRecord[]): TriageSummary {
  const summary: TriageSummary = { clean: 0, suspicious: 0, malicious: 0, error: 0 };
  for (const r of records) summary[r.verdict]++;
  return summary;
}

/** The `triage --json` document of `records`, judged under `policy`. */
export function triageJsonDocument(records: TriageRecord[], policy: ReportedPolicy): TriageJsonDocument {
  return { schemaVersion: 1, tool: toolInfo(), policy, files: records, summary: summarizeVerdicts(records) };
}

/**
 * The `triage --json` document written piece by piece, as the records come: {@link head} once,
 * {@link record} for each file, {@link tail} once. The pieces put together are exactly
 * {@link renderTriageJson} of the same records (`summary` comes after `files`, since it is only
 * known at the end), so a run over a whole disk never holds its records to print them.
 */
export class TriageJsonWriter {
  #count = 0;
  readonly #summary: TriageSummary = { clean: 0, suspicious: 0, malicious: 0, error: 0 };

  /** The document up to the opening of `files`. */
  head(policy: ReportedPolicy): string {
    const top = toJsonText({ schemaVersion: 1, tool: toolInfo(), policy });
    // Reopen the object (drop its closing brace) and open the `files` array.
    return `${top.slice(0, top.lastIndexOf("\n}"))},\n  "files": [`;
  }

  /** One file's record, indented as in the whole document. */
  record(r: TriageRecord): string {
    this.#summary[r.verdict]++;
    const text = stringifyJson(r, 2).replaceAll("\n", "\n    ");
    return `${this.#count++ === 0 ? "" : ","}\n    ${text}`;
  }

  /** The close of `files`, the summary of the records written, and the document's end. */
  tail(): string {
    const summary = JSON.stringify(this.#summary, undefined, 2).replaceAll("\n", "\n  ");
    return `${this.#count === 0 ? "" : "\n  "}],\n  "summary": ${summary}\n}\n`;
  }
}

/**
 * `triage --json` output: {@link triageJsonDocument} as JSON text, two-space indented, with a
 * final newline; 64-bit integers as decimal strings.
 */
export function renderTriageJson(records: TriageRecord[], policy: ReportedPolicy): string {
  return toJsonText(triageJsonDocument(records, policy));
}

/** `triage --jsonl`: one record as one line of JSON (JSON Lines, https://jsonlines.org). */
export function renderTriageJsonLine(r: TriageRecord): string {
  return `${stringifyJson(r)}\n`;
}
