/**
 * `koff-doctor events FILE.evtx... [--jsonl|--json] [--id N] [--provider NAME] [--since ISO]`:
 * the analyst's quick look at any Windows event log, read offline by src/evtx/. One line per
 * record (text), one JSON object per line (`--jsonl`) or one JSON array (`--json`), each with
 * recordNumber, eventId, provider, channel, timeCreated, level and data; `file` too when more
 * than one log is given (src/report/events-json.ts; schemas/events.schema.json). Anomalies (bad CRCs, damaged records) go to stderr; exit codes in
 * docs/exit-codes.md.
 */
import type { Command } from "commander";
import {
  AnomalyLog,
  eventsJsonRecord,
  EvtxError,
  ExitCode,
  InputFileError,
  iterateEvtxFile,
  summarizeRecord,
  type EventSummary,
} from "../../index.js";
import type { CommandResult } from "../command-result.js";
import type { CliIo } from "../io.js";
import { ISO_TIME_FORM, parseIsoTime } from "../options.js";
import { UsageError } from "../usage-error.js";
import { printable } from "../terminal-text.js";

interface EventsOptions {
  jsonl?: boolean;
  json?: boolean;
  id: number[];
  provider?: string;
  since?: string;
}

function parseId(value: string, previous: number[]): number[] {
  const ids = value.split(",").map((v) => {
    if (!/^\d+$/.test(v.trim()) || Number(v) > 65535) throw new UsageError(`--id: not an event id: ${v}`);
    return Number(v);
  });
  return [...previous, ...ids];
}

/** An ISO time as `YYYY-MM-DDTHH:MM:SS.fffffffZ`, so times compare as strings. */
function iso7(text: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,7}))?Z$/.exec(text);
  return m ? `${m[1]}.${(m[2] ?? "").padEnd(7, "0")}Z` : undefined;
}

function parseSince(value: string): string {
  const at = parseIsoTime(value);
  if (at === undefined) throw new UsageError(`--since: expected ${ISO_TIME_FORM}, got: ${value}`);
  return iso7(at.toISOString())!;
}

function textLine(s: EventSummary, file: string | undefined): string {
  const data = Object.entries(s.data)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(" ");
  return `${file ? `${file}: ` : ""}#${s.recordNumber} ${s.timeCreated} level=${s.level ?? "-"} ${s.provider ?? "-"} ${s.eventId ?? "-"} [${s.channel ?? "-"}]${data ? ` ${data}` : ""}\n`;
}

export function registerEventsCommand(program: Command, io: CliIo, done: (r: CommandResult) => void): void {
  program
    .command("events")
    .description("print the records of Windows event logs (.evtx), read offline")
    .argument("<file...>", "one or more .evtx files")
    .option("--jsonl", "one JSON object per line")
    .option("--json", "one JSON array")
    .option("--id <n>", "only these event ids (repeatable, or comma-separated)", parseId, [])
    .option("--provider <name>", "only this provider (case-insensitive)")
    .option("--since <iso-8601>", "only records created at or after this time", parseSince)
    .action(async (files: string[], options: EventsOptions) => {
      if (options.json && options.jsonl) throw new UsageError("--json and --jsonl are exclusive");
      const ids = new Set(options.id);
      const provider = options.provider?.toLowerCase();
      const many = files.length > 1;
      let exitCode: number = ExitCode.OK;
      let pending: string[] = [];
      let first = true;
      const flush = () => {
        if (pending.length) io.stdout(pending.join(""));
        pending = [];
      };
      if (options.json) io.stdout("[");
      for (const file of files) {
        const log = new AnomalyLog();
        try {
          for await (const record of iterateEvtxFile(file, log)) {
            const s = summarizeRecord(record);
            if (ids.size && (s.eventId === null || !ids.has(s.eventId))) continue;
            if (provider !== undefined && s.provider?.toLowerCase() !== provider) continue;
            if (options.since !== undefined && (iso7(s.timeCreated) ?? "") < options.since) continue;
            const out = eventsJsonRecord(s, file, many);
            if (options.jsonl) pending.push(JSON.stringify(out) + "\n");
            else if (options.json) {
              pending.push((first ? "\n" : ",\n") + JSON.stringify(out));
              first = false;
            } else pending.push(textLine(s, many ? file : undefined));
            if (pending.length >= 512) flush();
          }
        } catch (e) {
          flush();
          if (e instanceof InputFileError) {
            io.stderr(`koff-doctor: ${printable(e.path)}: ${e.code}: ${e.reason}\n`);
          } else if (e instanceof EvtxError) {
            io.stderr(`koff-doctor: ${file}: ${e.code}: ${e.message}\n`);
          } else {
            io.stderr(`koff-doctor: cannot read ${file}: ${(e as Error).message}\n`);
          }
          exitCode = ExitCode.UNREADABLE;
        }
        flush();
        for (const a of log.list) {
          if (a.code === "dirty") continue;
          io.stderr(
            `koff-doctor: ${file}: ${a.code} at offset 0x${a.offset.toString(16)} (${a.structure}): ${a.message}\n`,
          );
        }
      }
      if (options.json) io.stdout(first ? "]\n" : "\n]\n");
      done({ exitCode });
    });
}
