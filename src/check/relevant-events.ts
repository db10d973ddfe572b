/**
 * Which event-log records bear on the connector, and what each means: the queries every
 * event-log port answers (Application and Defender Operational; by id, provider and a test of
 * the data), and {@link classifyEvent}, which turns a selected record into an {@link EventFact}.
 * The `events` collector and the bundle's event members read through the same queries, so a
 * bundle replays exactly what `check` saw.
 *
 * Sources (each event's meaning):
 * - Application Error 1000: https://learn.microsoft.com/troubleshoot/windows-client/application-management/application-error-event-1000
 * - Windows Error Reporting 1001, Application Hang 1002: https://learn.microsoft.com/en-us/windows/win32/wer/windows-error-reporting
 * - Outlook 45 (add-ins loaded, with load times): https://learn.microsoft.com/en-us/outlook/troubleshoot/performance/event-log-entries-for-add-in-load-time
 * - Outlook 59 (add-ins disabled): https://learn.microsoft.com/en-us/outlook/troubleshoot/performance/add-ins-are-user-re-enabled-after-being-disabled
 * - MsiInstaller 1033, 1034, 11707, 11724: https://learn.microsoft.com/en-us/windows/win32/msi/event-logging
 * - Defender 1116 (detected), 1117 (action taken): https://learn.microsoft.com/en-us/defender-endpoint/troubleshoot-microsoft-defender-antivirus
 */
import type { ConnectorKnowledge } from "../knowledge/index.js";
import type { EventQuery, EventRecord } from "../ports/system.js";
import type { EventFact, EventKind } from "./facts.js";

/** The Defender channel, as Event Viewer and `wevtutil` name it. */
export const DEFENDER_LOG = "Microsoft-Windows-Windows Defender/Operational";

/** Processes whose crash or hang bears on the connector. */
export const KOFF_APP = /^(outlook\.exe|koffbackend\.exe)$/i;
/** Faulting modules of the connector: the provider DLL, the embedded Firebird client. */
export const KOFF_MODULE = /^(kofmsp(32)?\.dll|fbclient\.dll|fbembed\.dll|engine1\d\.dll)$/i;
/** A provider DLL named anywhere in a value. */
const PROVIDER_DLL = /kofmsp\w*\.dll/i;
/** A Kerio folder (install, updater, cache, roaming) anywhere in a value. */
const KERIO_FOLDER = /\\kerio\\/i;
/** The connector in add-in names and MSI product names (not the Online edition). */
const CONNECTOR = /kerio outlook connector(?! \(online)|\bkoff\b|kofmsp/i;

/** Outlook and MAPI providers whose every record is read (then kept when it names the DLL). */
const OUTLOOK_PROVIDERS = ["Outlook", "MAPI", "Microsoft Office 16", "Microsoft Office 16 Alerts"];

/** A data field by name, else by position (classic events log unnamed `<Data>`). */
export function eventField(r: { data: Record<string, string> }, name: string, position: number): string {
  return r.data[name] ?? r.data[String(position)] ?? "";
}

const values = (r: EventRecord) => Object.values(r.data);
const baseName = (v: string) => v.slice(Math.max(v.lastIndexOf("\\"), v.lastIndexOf("/")) + 1).trim();
const firstLine = (v: string) =>
  v
    .split(/\r?\n/)
    .find((l) => l.trim() !== "")
    ?.trim() ?? "";

/** What one relevant record means, and its line; undefined when the record does not bear on the connector. */
type Meaning = { kind: EventKind; summary: string } | undefined;

function applicationMeaning(r: EventRecord, k: ConnectorKnowledge): Meaning {
  const p = r.provider.toLowerCase();
  if (r.id === 1000 && p === "application error") {
    const app = eventField(r, "AppName", 0);
    const module = eventField(r, "ModuleName", 3);
    if (!KOFF_APP.test(app) && !KOFF_MODULE.test(module)) return undefined;
    const version = eventField(r, "ModuleVersion", 4);
    const code = eventField(r, "ExceptionCode", 6);
    return {
      kind: "app-crash",
      summary: `${app} crashed in ${module} ${version} (exception ${code || "?"})`,
    };
  }
  if (r.id === 1001 && p === "windows error reporting") {
    const named = values(r)
      .map(baseName)
      .filter((v) => KOFF_APP.test(v) || KOFF_MODULE.test(v));
    if (named.length === 0) return undefined;
    return {
      kind: "crash-report",
      summary: `crash report ${eventField(r, "EventName", 1)}: ${named.join(", ")}`,
    };
  }
  if (r.id === 1002 && p === "application hang") {
    const app = eventField(r, "AppName", 0);
    if (!KOFF_APP.test(app)) return undefined;
    return { kind: "app-hang", summary: `${app} ${eventField(r, "AppVersion", 1)} stopped responding` };
  }
  if (p === "msiinstaller") return installMeaning(r);
  if (OUTLOOK_PROVIDERS.some((o) => o.toLowerCase() === p)) return outlookMeaning(r, k);
  return undefined;
}

function outlookMeaning(r: EventRecord, k: ConnectorKnowledge): Meaning {
  const text = values(r).join("\n");
  // A record that reports a load failure is a MAPI error whatever its id (some Outlook builds reuse ids).
  const loadFailure = /\b(unable|could not|failed) to load\b/i.test(text);
  if (
    (r.id === 45 || r.id === 59) &&
    r.provider.toLowerCase() === "outlook" &&
    CONNECTOR.test(text) &&
    !loadFailure
  ) {
    const names = [...text.matchAll(/^\s*Name:\s*(.+?)\s*$/gim)].map((m) => m[1]!);
    const name = names.find((n) => CONNECTOR.test(n)) ?? firstLine(text).slice(0, 120);
    const ms = /boot time \(milliseconds\):\s*(\d+)/i.exec(text)?.[1];
    return r.id === 45
      ? { kind: "addins-loaded", summary: `Outlook loaded ${name}${ms ? ` (boot time ${ms} ms)` : ""}` }
      : { kind: "addin-disabled", summary: `Outlook disabled ${name}` };
  }
  if (values(r).some((v) => k.providerDllPattern.test(v)))
    return { kind: "provider-named", summary: `${r.provider} ${r.id}: ${firstLine(text).slice(0, 160)}` };
  return undefined;
}

function installMeaning(r: EventRecord): Meaning {
  if (![1033, 1034, 11707, 11724].includes(r.id) || !values(r).some((v) => CONNECTOR.test(v)))
    return undefined;
  const removed = r.id === 1034 || r.id === 11724;
  const kind: EventKind = removed ? "removed" : "installed";
  const by = r.userId ? ` by ${r.userId}` : "";
  if (r.id === 11707 || r.id === 11724) return { kind, summary: `${firstLine(values(r)[0] ?? "")}${by}` };
  const status = eventField(r, "Status", 3);
  const failed = status !== "" && status !== "0" ? ` with status ${status}` : "";
  const what = `${eventField(r, "ProductName", 0)} ${eventField(r, "ProductVersion", 1)}`.trim();
  return { kind, summary: `${removed ? "removed" : "installed"} ${what}${failed}${by}` };
}

function defenderMeaning(r: EventRecord): Meaning {
  if (
    (r.id !== 1116 && r.id !== 1117) ||
    !values(r).some((v) => PROVIDER_DLL.test(v) || KERIO_FOLDER.test(v))
  )
    return undefined;
  const threat = r.data["Threat Name"] ?? "a threat";
  const path = (r.data["Path"] ?? values(r).find((v) => PROVIDER_DLL.test(v)) ?? "").replace(/^file:_/, "");
  const action = r.data["Action Name"];
  return r.id === 1116
    ? { kind: "av-detected", summary: `Defender detected ${threat} in ${path}` }
    : { kind: "av-action", summary: `Defender acted on ${threat} in ${path}${action ? `: ${action}` : ""}` };
}

/** The meaning of `r`, read from channel `log`; undefined when it does not bear on the connector. */
export function classifyEvent(r: EventRecord, k: ConnectorKnowledge): EventFact | undefined {
  const meaning =
    r.log.toLowerCase() === DEFENDER_LOG.toLowerCase() ? defenderMeaning(r) : applicationMeaning(r, k);
  if (!meaning) return undefined;
  return {
    log: r.log,
    id: r.id,
    provider: r.provider,
    time: r.time,
    ...(r.level === undefined ? {} : { level: r.level }),
    ...(r.recordNumber === undefined ? {} : { recordNumber: r.recordNumber }),
    ...(r.userId === undefined ? {} : { userId: r.userId }),
    kind: meaning.kind,
    summary: meaning.summary,
    data: r.data,
  };
}

/** One log the collector reads, and the query that selects its relevant records. */
export interface RelevantLog {
  log: string;
  query: EventQuery;
}

/** The logs read and their queries, keeping at most `max` records per log (the newest). */
export function relevantEventLogs(k: ConnectorKnowledge, max: number): RelevantLog[] {
  const accept = (r: EventRecord) => classifyEvent(r, k) !== undefined;
  const applicationIds = [1000, 1001, 1002, 45, 59, 1033, 1034, 11707, 11724];
  return [
    { log: "Application", query: { ids: applicationIds, providers: OUTLOOK_PROVIDERS, accept, max } },
    { log: DEFENDER_LOG, query: { ids: [1116, 1117], accept, max } },
  ];
}
