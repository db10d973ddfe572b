/**
 * The analyst's view of a record: the System fields every event has (event id, provider,
 * channel, time created, level) and the event's data fields, flattened to name → text.
 *
 * Data fields: each `EventData/Data` by its `Name` attribute (unnamed ones by their position,
 * `"0"`, `"1"` …), `EventData/Binary` as `"Binary"`; for `UserData`, each leaf element under its
 * single child by its path below that child (`"Channel"`, `"Params/Path"`), and each attribute
 * of an element below that child by the element's path, `/@` and its name, as an XPath names it
 * (`"EventAuxInfo/@ProcessName"`; namespace declarations left out). An element with attributes
 * and no content has only its attribute fields, not an empty one of its own (docs/evtx.md).
 *
 * Source: the Event schema, [MS-EVEN6] and Microsoft's "Event schema" (EventType) documentation.
 */
import type { EvtxContent, EvtxElement, EvtxSystemHead } from "./binxml.js";
import { textOf } from "./binxml.js";
import type { EvtxRecord } from "./record.js";

/** One record as `events --jsonl` prints it. */
export interface EventSummary {
  /**
   * `System/EventRecordID`, the number Event Viewer and `wevtutil` show; the record header's
   * identifier when the event has none. The two differ in a log saved from a filtered view
   * ("Save Filtered Log File As"), whose headers are renumbered from 1.
   */
  recordNumber: number;
  /** `System/EventID` (without its Qualifiers); null when absent or not a number. */
  eventId: number | null;
  /** `System/Provider/@Name` (or `@EventSourceName` when there is no Name). */
  provider: string | null;
  channel: string | null;
  /** `System/TimeCreated/@SystemTime`, ISO 8601 UTC; the written time when absent. */
  timeCreated: string;
  /** `System/Level` (0 LogAlways, 1 Critical, 2 Error, 3 Warning, 4 Information, 5 Verbose). */
  level: number | null;
  data: Record<string, string>;
}

function child(element: EvtxElement | undefined, name: string): EvtxElement | undefined {
  if (!element) return undefined;
  for (const c of element.children) if (typeof c !== "string" && c.name === name) return c;
  return undefined;
}

function attribute(element: EvtxElement | undefined, name: string): string | undefined {
  return element?.attributes.find((a) => a.name === name)?.value;
}

function integer(text: string | undefined): number | null {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return null;
  return Number(text);
}

/**
 * An ISO 8601 UTC time with seven fractional digits, Windows' precision: a forwarded event (WEC,
 * "RenderedText" format) carries its `SystemTime` as text with nine (`…33.833733500Z`).
 * Other text is returned as is.
 */
function sevenDigits(time: string | undefined): string | undefined {
  const m = time === undefined ? null : /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(time);
  return m ? `${m[1]}.${(m[2] ?? "").padEnd(7, "0").slice(0, 7)}Z` : time;
}

/** The event id and provider a record's `System/EventID` and `System/Provider` elements give. */
export function eventIdAndProvider(head: EvtxSystemHead): Pick<EventSummary, "eventId" | "provider"> {
  const { eventId, provider } = head;
  return {
    eventId: eventId ? integer(textOf(eventId.children)) : null,
    provider: attribute(provider, "Name") ?? attribute(provider, "EventSourceName") ?? null,
  };
}

/** Summarizes a rendered record. */
export function summarizeRecord(record: EvtxRecord): EventSummary {
  const system = child(record.event, "System");
  const { eventId, provider } = eventIdAndProvider({
    eventId: child(system, "EventID"),
    provider: child(system, "Provider"),
  });
  const level = child(system, "Level");
  const channel = child(system, "Channel");
  const eventRecordId = child(system, "EventRecordID");
  const written = eventRecordId ? integer(textOf(eventRecordId.children)) : null;
  return {
    recordNumber: written !== null && Number.isSafeInteger(written) ? written : record.recordNumber,
    eventId,
    provider,
    channel: channel ? textOf(channel.children) : null,
    timeCreated: sevenDigits(attribute(child(system, "TimeCreated"), "SystemTime")) ?? record.writtenTime,
    level: level ? integer(textOf(level.children)) : null,
    data: dataFields(record.event),
  };
}

/** The data fields of an `Event` element (see the module comment). */
export function dataFields(event: EvtxElement): Record<string, string> {
  const data: Record<string, string> = {};
  const eventData = child(event, "EventData");
  if (eventData) {
    let position = 0;
    for (const c of eventData.children) {
      if (typeof c === "string") continue;
      if (c.name === "Data") {
        const name = attribute(c, "Name");
        setField(data, name ?? String(position), textOf(c.children));
        position++;
      } else {
        setField(data, c.name, textOf(c.children));
      }
    }
  }
  const userData = child(event, "UserData");
  const body = userData?.children.find((c): c is EvtxElement => typeof c !== "string");
  if (body) flatten(body.children, "", data);
  return data;
}

/**
 * Sets field `name` as an own property, even `__proto__` (a plain assignment of a string there
 * is ignored, so a `<Data Name="__proto__">` would vanish from the output).
 */
function setField(data: Record<string, string>, name: string, value: string): void {
  if (name === "__proto__")
    Object.defineProperty(data, name, { value, enumerable: true, writable: true, configurable: true });
  else data[name] = value;
}

/** Whether an attribute is a namespace declaration (`xmlns`, `xmlns:p`), not data. */
function isNamespaceDeclaration(name: string): boolean {
  return name === "xmlns" || name.startsWith("xmlns:");
}

function flatten(children: EvtxContent[], prefix: string, out: Record<string, string>): void {
  for (const c of children) {
    if (typeof c === "string") continue;
    const key = prefix + c.name;
    const attributes = c.attributes.filter((a) => !isNamespaceDeclaration(a.name));
    for (const a of attributes) setField(out, `${key}/@${a.name}`, a.value);
    if (c.children.some((x) => typeof x !== "string")) flatten(c.children, `${key}/`, out);
    else if (c.children.length > 0 || attributes.length === 0) setField(out, key, textOf(c.children));
  }
}
