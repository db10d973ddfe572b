/**
 * `wevtutil qe <log> /f:xml /rd:true /c:N`: event records as XML, one `<Event>` element per
 * record with no enclosing root (Microsoft "wevtutil" reference; schema
 * http://schemas.microsoft.com/win/2004/08/events/event). Only the fields koff-doctor judges are
 * read: provider, event id, level, time, channel, record number, the user SID, and the EventData
 * `<Data>` strings by their `Name` (unnamed ones by position, as src/evtx/event-summary.ts).
 * Bounded: element sizes and counts are capped; malformed records are skipped.
 * Source: https://learn.microsoft.com/windows-server/administration/windows-commands/wevtutil
 */
import type { EventRecord } from "../../ports/system.js";
import { isBlank, noAnswer } from "./no-answer.js";

export const MAX_EVENTS = 10_000;
const MAX_EVENT_CHARS = 256 * 1024;

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes the five XML entities and numeric character references. */
export function decodeXmlText(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code =
        name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/*
 * Element scanners. Each one gives the result the regular expression in its comment gives, but
 * scans forward with memoised `indexOf` searches instead of backtracking: with those regular
 * expressions, every unclosed `<Data>`, `<EventID` or `<Provider` re-scanned the rest of the record.
 */

/**
 * A search for `needle` in `text` that remembers its last answer: queries whose `from` never
 * decreases read each character of `text` at most once in total.
 */
function forwardFinder(text: string, needle: string): (from: number) => number {
  let askedFrom = 0;
  let found = -2; // no search yet
  return (from) => {
    if (found !== -2 && from >= askedFrom && (found === -1 || found >= from)) return found;
    askedFrom = from;
    found = text.indexOf(needle, from);
    return found;
  };
}

const isWordChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;

/** Finds the starts of `<tag\b` (the tag name followed by a non-word character or the end) from `from` on. */
function startTagFinder(text: string, tag: string): (from: number) => number {
  const find = forwardFinder(text, `<${tag}`);
  return (from) => {
    for (let at = find(from); at >= 0; at = find(at + 1)) {
      const after = at + 1 + tag.length;
      if (after >= text.length || !isWordChar(text.charCodeAt(after))) return at;
    }
    return -1;
  };
}

/** The text of the first `<tag …>text</tag>` whose text has no `<`: `/<tag\b[^>]*>([^<]*)<\/tag>/s`. */
function elementText(text: string, tag: string): string | undefined {
  const start = startTagFinder(text, tag);
  const gtAfter = forwardFinder(text, ">");
  const ltAfter = forwardFinder(text, "<");
  for (let s = start(0); s >= 0; s = start(s + 1)) {
    const gt = gtAfter(s + 1 + tag.length);
    if (gt < 0) return undefined; // no later start has a '>' either
    const lt = ltAfter(gt + 1);
    if (lt < 0) return undefined;
    if (text.startsWith(`</${tag}>`, lt)) return text.slice(gt + 1, lt);
  }
  return undefined;
}

/**
 * The quoted value of attribute `name` in the first `<tag …>` start tag that has one, as
 * `/<tag\b[^>]*\bname=(['"])(.*?)\1/s` finds it: the last `name=` before the tag's first `>`
 * whose quote is closed somewhere after it (the value may run past the `>`).
 */
function attributeValue(text: string, tag: string, name: string): string | undefined {
  const start = startTagFinder(text, tag);
  const gtAfter = forwardFinder(text, ">");
  const assign = `${name}=`;
  const assignAfter = forwardFinder(text, assign);
  const lastQuote: Record<string, number> = { '"': text.lastIndexOf('"'), "'": text.lastIndexOf("'") };
  for (let s = start(0); s >= 0;) {
    const from = s + 1 + tag.length;
    const gt = gtAfter(from);
    const regionEnd = gt < 0 ? text.length : gt;
    const candidates: number[] = [];
    for (let p = assignAfter(from); p >= 0 && p < regionEnd; p = assignAfter(p + 1)) candidates.push(p);
    // From the right, as the greedy [^>]* gives characters back.
    for (let i = candidates.length - 1; i >= 0; i--) {
      const p = candidates[i]!;
      if (isWordChar(text.charCodeAt(p - 1))) continue; // \b before the name
      const q = p + assign.length;
      const quote = text[q];
      if ((quote === '"' || quote === "'") && lastQuote[quote]! > q)
        return text.slice(q + 1, text.indexOf(quote, q + 1));
    }
    // Every later start before this '>' has a region inside this one, with the same end: it fails too.
    if (gt < 0) return undefined;
    s = start(gt);
  }
  return undefined;
}

/** The content of the first closed `<EventData …>…</EventData>`: `/<EventData\b[^>]*>([\s\S]*?)<\/EventData>/`. */
function eventDataBlock(text: string): string {
  // The first start decides: a later one has its '>' and closing tag no earlier.
  const s = startTagFinder(text, "EventData")(0);
  if (s < 0) return "";
  const gt = text.indexOf(">", s + "<EventData".length);
  if (gt < 0) return "";
  const close = text.indexOf("</EventData>", gt + 1);
  return close < 0 ? "" : text.slice(gt + 1, close);
}

/** The `Name` attribute of one `<Data …>` start tag (its text up to `>`), raw; undefined when absent. */
function dataName(startTag: string): string | undefined {
  const m = /\sName=(?:"([^"]*)"|'([^']*)')/.exec(startTag);
  return m ? (m[1] ?? m[2]) : undefined;
}

/**
 * The raw `Name` attributes and strings of the `<Data …>…</Data>` and `<Data …/>` elements in
 * order (`""` for an empty one), as `/<Data\b[^>]*?(?:\/>|>([\s\S]*?)<\/Data>)/g` finds them:
 * an unclosed `<Data>` is skipped.
 */
function dataStrings(block: string): Array<{ name: string | undefined; value: string }> {
  const out: Array<{ name: string | undefined; value: string }> = [];
  const start = startTagFinder(block, "Data");
  const gtAfter = forwardFinder(block, ">");
  const closeAfter = forwardFinder(block, "</Data>");
  for (let s = start(0); s >= 0;) {
    const from = s + "<Data".length;
    const gt = gtAfter(from);
    if (gt < 0) break; // no later start has a '>' either
    const name = dataName(block.slice(from, gt));
    if (gt > from && block[gt - 1] === "/") {
      out.push({ name, value: "" });
      s = start(gt + 1);
      continue;
    }
    const close = closeAfter(gt + 1);
    if (close < 0) {
      s = start(s + 1); // unclosed: only a later self-closing <Data/> can still match
      continue;
    }
    out.push({ name, value: block.slice(gt + 1, close) });
    s = start(close + "</Data>".length);
  }
  return out;
}

export function parseWevtutilXml(xml: string, log: string): EventRecord[] {
  const out: EventRecord[] = [];
  // A linear scan: find each start tag, then its end tag with indexOf, and resume after it. A lazy
  // regex over the whole text would rescan to the end for every unterminated "<Event".
  const startTag = /<Event[\s>]/g;
  for (let m = startTag.exec(xml); m && out.length < MAX_EVENTS; m = startTag.exec(xml)) {
    const close = xml.indexOf("</Event>", m.index);
    if (close < 0) break;
    const end = close + "</Event>".length;
    startTag.lastIndex = end;
    const ev = xml.slice(m.index, end);
    if (ev.length > MAX_EVENT_CHARS) continue;
    const id = Number(elementText(ev, "EventID"));
    if (!Number.isSafeInteger(id)) continue;
    const level = Number(elementText(ev, "Level"));
    const data: Record<string, string> = {};
    dataStrings(eventDataBlock(ev)).forEach((d, i) => {
      data[d.name === undefined ? String(i) : decodeXmlText(d.name)] = decodeXmlText(d.value);
    });
    const recordNumber = Number(elementText(ev, "EventRecordID"));
    const userId = attributeValue(ev, "Security", "UserID");
    out.push({
      log: decodeXmlText(elementText(ev, "Channel") ?? log),
      id,
      provider: decodeXmlText(attributeValue(ev, "Provider", "Name") ?? ""),
      time: attributeValue(ev, "TimeCreated", "SystemTime") ?? "",
      ...(Number.isFinite(level) ? { level } : {}),
      ...(Number.isSafeInteger(recordNumber) && recordNumber > 0 ? { recordNumber } : {}),
      ...(userId ? { userId: decodeXmlText(userId) } : {}),
      data,
    });
  }
  return out;
}

/**
 * The records of `wevtutil qe <log> /f:xml`, as a fact. The Application log of a running Windows
 * always holds records (services log their start there), so blank output is no answer; so is
 * output in which no `<Event>` record could be read.
 * @throws {@link WindowsStateError} `no-answer` when the output is blank or holds no readable record.
 */
export function readWevtutilAnswer(xml: string, log: string, command: string): EventRecord[] {
  if (isBlank(xml)) throw noAnswer(command, `printed nothing for the ${log} log`);
  const records = parseWevtutilXml(xml, log);
  if (records.length === 0) throw noAnswer(command, `printed no readable <Event> record of the ${log} log`);
  return records;
}
