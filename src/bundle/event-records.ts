/**
 * The shape check of `events/records.json` (written by src/bundle/collect/event-logs.ts), applied
 * before a bundle's event records are replayed: every field of the expected type, every count
 * and string under a cap; anything else refuses the member with a typed error naming the
 * offending record.
 *
 * Source: docs/bundle.md ("Layout", "Reading is safe").
 */
import type { EventRecord } from "../ports/system.js";
import type { EventLogExtract } from "./collect/event-logs.js";
import { BundleError } from "./errors.js";
import { MEMBER } from "./layout.js";

/** Logs in one member. */
export const MAX_EVENT_LOGS = 16;
/** Records per log. */
export const MAX_EVENT_RECORDS = 10_000;
/** Data fields per record. */
export const MAX_EVENT_FIELDS = 512;
/** Characters of one string. */
export const MAX_EVENT_STRING = 64 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === "string" && v.length <= MAX_EVENT_STRING;
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function invalid(where: string, what: string): BundleError {
  return new BundleError("member-invalid", `${MEMBER.events}: ${where}: ${what}`, { path: MEMBER.events });
}

function validateData(v: unknown, where: string): Record<string, string> {
  if (!isObject(v)) throw invalid(where, "data is not an object");
  const entries = Object.entries(v);
  if (entries.length > MAX_EVENT_FIELDS) throw invalid(where, `more than ${MAX_EVENT_FIELDS} data fields`);
  const data: Record<string, string> = {};
  for (const [k, x] of entries) {
    if (!isText(k) || !isText(x))
      throw invalid(where, `data field ${JSON.stringify(k.slice(0, 40))} is not a string`);
    data[k] = x;
  }
  return data;
}

function validateRecord(v: unknown, where: string): EventRecord {
  if (!isObject(v)) throw invalid(where, "not an object");
  const { log, id, provider, time, level, recordNumber, userId, data } = v;
  if (!isText(log) || !isText(provider) || !isText(time))
    throw invalid(where, "log, provider and time must be strings");
  if (!isCount(id)) throw invalid(where, "id is not a non-negative integer");
  if (level !== undefined && !isCount(level)) throw invalid(where, "level is not a non-negative integer");
  if (recordNumber !== undefined && !isCount(recordNumber))
    throw invalid(where, "recordNumber is not a count");
  if (userId !== undefined && !isText(userId)) throw invalid(where, "userId is not a string");
  return {
    log,
    id,
    provider,
    time,
    ...(level === undefined ? {} : { level }),
    ...(recordNumber === undefined ? {} : { recordNumber }),
    ...(userId === undefined ? {} : { userId }),
    data: validateData(data, where),
  };
}

/**
 * The logs of `events/records.json`, checked.
 * @throws BundleError `member-invalid` for a wrong type, a count over its cap, or an unknown schema version.
 */
export function validateEventRecords(doc: unknown): EventLogExtract[] {
  if (!isObject(doc) || doc["schemaVersion"] !== 1 || !Array.isArray(doc["logs"]))
    throw invalid("document", "expected { schemaVersion: 1, logs: [...] }");
  const logs = doc["logs"] as unknown[];
  if (logs.length > MAX_EVENT_LOGS) throw invalid("document", `more than ${MAX_EVENT_LOGS} logs`);
  return logs.map((l, i) => {
    if (!isObject(l) || !isText(l["log"]) || !Array.isArray(l["records"]))
      throw invalid(`logs[${i}]`, "expected { log, records }");
    const records = l["records"] as unknown[];
    if (records.length > MAX_EVENT_RECORDS)
      throw invalid(`logs[${i}]`, `more than ${MAX_EVENT_RECORDS} records`);
    return { log: l["log"], records: records.map((r, j) => validateRecord(r, `logs[${i}].records[${j}]`)) };
  });
}
