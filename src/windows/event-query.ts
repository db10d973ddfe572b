/**
 * Applying an {@link EventQuery} (src/ports/system.ts) to records read one at a time, as every
 * event-log port does: {@link selectsEvent} judges one record ({@link wantsIdOrProvider} its id
 * and provider alone, before a reader renders the rest), {@link NewestEvents} keeps the
 * newest `max` selected ones in bounded memory however many are read, and
 * {@link wevtutilQueryArgs} asks `wevtutil` for the same selection with an XPath filter.
 *
 * Source: Microsoft, "Consuming Events" (XPath 1.0 subset of event queries,
 * https://learn.microsoft.com/en-us/windows/win32/wes/consuming-events) and "wevtutil"
 * (https://learn.microsoft.com/windows-server/administration/windows-commands/wevtutil).
 */
import type { EventQuery, EventRecord } from "../ports/system.js";

/** Milliseconds since the epoch of a record's time; NaN when it is not a date. */
export const eventMillis = (record: EventRecord): number => Date.parse(record.time);

/**
 * True when `query` wants records of event id `id` from `provider` (its ids and providers, the
 * first test of {@link selectsEvent}); a reader may drop other records before rendering them.
 */
export function wantsIdOrProvider(query: EventQuery, id: number, provider: string): boolean {
  const lower = provider.toLowerCase();
  return query.ids.includes(id) || (query.providers ?? []).some((p) => p.toLowerCase() === lower);
}

/** True when `query` selects `record` (see {@link EventQuery}). */
export function selectsEvent(query: EventQuery, record: EventRecord): boolean {
  if (!wantsIdOrProvider(query, record.id, record.provider)) return false;
  if (query.since !== undefined && !(eventMillis(record) >= query.since.getTime())) return false;
  return query.accept === undefined || query.accept(record);
}

/** Newest first: by time, then by record number. */
export function newestFirst(a: EventRecord, b: EventRecord): number {
  const d = (eventMillis(b) || 0) - (eventMillis(a) || 0);
  return d !== 0 ? d : (b.recordNumber ?? 0) - (a.recordNumber ?? 0);
}

/**
 * The newest `max` records of those added, in at most 2 × `max` records of memory: when the
 * pool reaches twice `max`, it is sorted and cut back to `max`.
 */
export class NewestEvents {
  readonly #max: number;
  #pool: EventRecord[] = [];

  constructor(max: number) {
    this.#max = Math.max(0, Math.floor(max));
  }

  add(record: EventRecord): void {
    if (this.#max === 0) return;
    this.#pool.push(record);
    if (this.#pool.length >= 2 * this.#max) this.#cut();
  }

  /** The records kept, newest first. */
  list(): EventRecord[] {
    this.#cut();
    return [...this.#pool];
  }

  #cut(): void {
    this.#pool.sort(newestFirst);
    this.#pool.length = Math.min(this.#pool.length, this.#max);
  }
}

/** Selects the records of `records` that `query` selects: the newest `query.max`, newest first. */
export function applyEventQuery(records: Iterable<EventRecord>, query: EventQuery): EventRecord[] {
  const kept = new NewestEvents(query.max);
  for (const r of records) if (selectsEvent(query, r)) kept.add(r);
  return kept.list();
}

const XPATH_LITERAL = /^[^'"[\]<>&]*$/;

/**
 * The XPath filter (`/q:`) that asks `wevtutil qe` for the records `query` selects by id,
 * provider and time (`accept` is applied afterwards by the caller).
 * @throws RangeError when a provider name cannot be written as an XPath literal.
 */
export function wevtutilXPath(query: EventQuery): string {
  const terms = [
    ...query.ids.map((id) => `EventID=${Math.trunc(id)}`),
    ...(query.providers ?? []).map((p) => {
      if (!XPATH_LITERAL.test(p)) throw new RangeError(`provider name not usable in XPath: ${p}`);
      return `Provider[@Name='${p}']`;
    }),
  ];
  const which = terms.length > 0 ? `(${terms.join(" or ")})` : "false()";
  const since = query.since ? ` and TimeCreated[@SystemTime>='${query.since.toISOString()}']` : "";
  return `*[System[${which}${since}]]`;
}

/** The `wevtutil` arguments reading the newest `count` records of `log` that {@link wevtutilXPath} selects. */
export function wevtutilQueryArgs(log: string, query: EventQuery, count: number): string[] {
  return ["qe", log, `/q:${wevtutilXPath(query)}`, "/f:xml", "/rd:true", `/c:${count}`];
}
