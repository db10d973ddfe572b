/**
 * `events --json` and `events --jsonl`: the records of Windows event logs as the analyst's quick
 * look prints them. `--json` is one JSON array of {@link EventsJsonRecord}; `--jsonl` the same
 * records, one per line (https://jsonlines.org). The record's fields are those of
 * src/evtx/event-summary.ts; docs/json-contract.md ("koff-doctor events --json") describes them.
 */
import type { EventSummary } from "../evtx/index.js";

/** One record: where it came from (`file`, only when more than one log was given) and its summary. */
export interface EventsJsonRecord extends EventSummary {
  /** The log file as given on the command line; present only when more than one was given. */
  file?: string;
}

/** The `events --json` document: the records of every log given, in file then record order. */
export type EventsJsonDocument = EventsJsonRecord[];

/** The record `events` prints for `summary`, read from `file` (named only when `many` logs were given). */
export function eventsJsonRecord(summary: EventSummary, file: string, many: boolean): EventsJsonRecord {
  return many ? { file, ...summary } : summary;
}
