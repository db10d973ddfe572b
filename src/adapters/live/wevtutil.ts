/**
 * `wevtutil qe <log> /f:xml /rd:true /c:N`: event records as XML, one `<Event>` element per
 * record with no enclosing root (Microsoft "wevtutil" reference; schema
 * http://schemas.microsoft.com/win/2004/08/events/event). Only the fields koff-doctor judges are
 * read: provider, event id, level, time, channel, and the EventData `<Data>` strings in order.
 * Bounded: element sizes and counts are capped; malformed records are skipped.
 * Source: https://learn.microsoft.com/windows-server/administration/windows-commands/wevtutil
 */
import type { EventRecord } from "../../ports/system.js";

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

const attr = (tag: string, name: string) => new RegExp(`<${tag}\\b[^>]*\\b${name}=(['"])(.*?)\\1`, "s");
const text = (tag: string) => new RegExp(`<${tag}\\b[^>]*>([^<]*)</${tag}>`, "s");

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
    const id = Number(text("EventID").exec(ev)?.[1]);
    if (!Number.isSafeInteger(id)) continue;
    const level = Number(text("Level").exec(ev)?.[1]);
    const dataBlock = /<EventData\b[^>]*>([\s\S]*?)<\/EventData>/.exec(ev)?.[1] ?? "";
    const data: string[] = [];
    for (const d of dataBlock.matchAll(/<Data\b[^>]*?(?:\/>|>([\s\S]*?)<\/Data>)/g))
      data.push(decodeXmlText(d[1] ?? ""));
    out.push({
      log: decodeXmlText(text("Channel").exec(ev)?.[1] ?? log),
      id,
      provider: decodeXmlText(attr("Provider", "Name").exec(ev)?.[2] ?? ""),
      time: attr("TimeCreated", "SystemTime").exec(ev)?.[2] ?? "",
      ...(Number.isFinite(level) ? { level } : {}),
      data,
    });
  }
  return out;
}
