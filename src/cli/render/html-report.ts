/**
 * Self-contained HTML reports (`--html FILE`) for `check` and `triage`: one file, inline CSS, no
 * scripts, no external resources, every value escaped. Meant to be attached to a ticket and read
 * by someone who never ran the tool: a status line first, the worst results first, evidence as
 * labelled fields (the raw JSON folded away), the next step as a command that runs.
 *
 * The check report is a list of sections (`CHECK_SECTIONS`), each a small function of the report;
 * a new section is one more function in that list. Building blocks are in html-parts.ts.
 */
import type { CheckReport } from "../../app/check-machine.js";
import type { Finding, Severity } from "../../check/finding.js";
import type { Indicator, TriageRecord, Verdict } from "../../triage/index.js";
import {
  badge,
  cell,
  dataTable,
  escapeHtml,
  jsonText,
  keyValueHtml,
  page,
  pathHtml,
  proseHtml,
  type BadgeKind,
} from "./html-parts.js";
import { eventTimeline } from "../../report/index.js";

export { escapeHtml } from "./html-parts.js";

/** Triage verdicts, worst first: what the reader must see before the rest. */
const VERDICT_ORDER: Record<Verdict, number> = { malicious: 0, suspicious: 1, error: 2, clean: 3 };

/** The badge of a verdict; `error` (the file could not be judged) reads "unreadable". */
function verdictBadge(v: Verdict): string {
  return v === "error" ? badge("unreadable") : badge(v);
}

/** The records sorted worst first (malicious, suspicious, unreadable, clean); ties keep their order. */
export function worstFirst(records: readonly TriageRecord[]): TriageRecord[] {
  return records
    .map((r, i) => ({ r, i }))
    .sort((a, b) => VERDICT_ORDER[a.r.verdict] - VERDICT_ORDER[b.r.verdict] || a.i - b.i)
    .map((x) => x.r);
}

function indicatorRows(indicators: Indicator[]): string {
  const rows = indicators.map(
    (i) =>
      `<tr>${cell("level", badge(i.level as BadgeKind))}${cell("indicator", `<code>${escapeHtml(i.id)}</code>`)}${cell(
        "evidence",
        `${proseHtml(i.evidence)}${i.cell ? `<br><small class="meta">${escapeHtml(i.cell)}</small>` : ""}`,
        "prose",
      )}</tr>`,
  );
  return `<table class="grid"><thead><tr><th>level</th><th>indicator</th><th>evidence and table cell</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** One file's card: verdict and path, its facts, and the indicators that did not read ok. */
function triageCard(r: TriageRecord): string {
  const head = `<h3>${verdictBadge(r.verdict)} ${pathHtml(r.windowsPath ?? r.path)}</h3>`;
  const facts = keyValueHtml({
    path: r.windowsPath !== undefined && r.windowsPath !== r.path ? r.path : undefined,
    sha256: r.sha256 || undefined,
    size: `${r.size} bytes`,
    signature: r.signature
      ? `${r.signature.state}${r.signature.signer ? ` (signed by ${r.signature.signer})` : ""}`
      : undefined,
    image: r.pe ? `${r.pe.machine} ${r.pe.isDll ? "DLL" : "EXE"}` : undefined,
  });
  const carried = r.carried
    ? `<p class="prose">${badge("carried")} ${proseHtml(r.carried.note)} (${pathHtml(r.carried.from)})</p>`
    : "";
  const error = r.error
    ? `<p class="prose">${badge("unreadable")} <code>${escapeHtml(r.error.code)}</code> ${proseHtml(r.error.message)}</p>`
    : "";
  const notOk = r.indicators.filter((i) => i.level !== "ok");
  const okCount = r.indicators.length - notOk.length;
  const table = notOk.length > 0 ? indicatorRows(notOk) : "";
  const ok =
    okCount > 0
      ? `<details><summary>${okCount} indicator(s) ok</summary>${indicatorRows(r.indicators.filter((i) => i.level === "ok"))}</details>`
      : "";
  return `<div class="card">${head}${facts}${carried}${error}${table}${ok}</div>`;
}

/** The triage cards, worst first. */
function triageCards(records: readonly TriageRecord[]): string {
  return records.length > 0 ? worstFirst(records).map(triageCard).join("\n") : `<p class="meta">none</p>`;
}

/** The status line of a set of triage records: the worst verdict and the count of each. */
function triageStatus(records: readonly TriageRecord[]): string {
  const count = (v: Verdict) => records.filter((r) => r.verdict === v).length;
  const worst = worstFirst(records)[0]?.verdict ?? "clean";
  const words = {
    malicious: "Malicious file found",
    suspicious: "Suspicious file found",
    error: "Some files could not be read",
    clean: "All files clean",
  };
  return `<p class="status" role="status">${verdictBadge(worst)} <strong>${words[worst]}</strong> <span>${records.length} file(s): ${count("malicious")} malicious, ${count("suspicious")} suspicious, ${count("error")} unreadable, ${count("clean")} clean</span></p>`;
}

/** HTML for `triage --html`. */
export function renderTriageHtml(records: TriageRecord[], policy: { at: string; trust: string[] }): string {
  const meta = `<p class="meta">Signatures verified at ${escapeHtml(policy.at)} · trust: ${escapeHtml(policy.trust.join(", "))}</p>`;
  return page("koff-doctor triage", `${triageStatus(records)}${meta}${triageCards(records)}`);
}

/** A command-line argument, quoted for a POSIX shell or cmd.exe when it needs it. */
function shellArg(arg: string): string {
  return /^[\w@%+=:,./\\-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\$`])/g, "\\$1")}"`;
}

/**
 * The command that carries out a finding's remedy, as the user can run it: the finding's own
 * `next` when the report carries one, otherwise `koff-doctor repair --step X` with the source
 * (`--image DIR`) added. A bundle cannot be repaired: the command is for the machine it came from.
 */
export function nextStepCommand(f: Finding & { next?: unknown }, report: CheckReport): string | null {
  if (typeof f.next === "string") return f.next;
  if (f.remedy === null) return null;
  const source = report.facts.source;
  const image =
    report.facts.mode === "image" && source.startsWith("image ") ? source.slice("image ".length) : undefined;
  return `koff-doctor repair --step ${f.remedy}${image !== undefined ? ` --image ${shellArg(image)}` : ""}`;
}

function findingCard(f: Finding, report: CheckReport): string {
  const next = nextStepCommand(f, report);
  const nextHtml = next
    ? `<div class="next">Next step${report.facts.mode === "bundle" ? " (on the machine the bundle came from)" : ""}:<code>${escapeHtml(next)}</code></div>`
    : "";
  return `<div class="card"><h3>${badge(f.severity)} ${escapeHtml(f.title)}</h3><p class="meta"><code>${escapeHtml(f.id)}</code></p><p class="prose">${proseHtml(f.message)}</p>${keyValueHtml(f.evidence)}${nextHtml}<details><summary>evidence as JSON</summary><pre>${escapeHtml(jsonText(f.evidence))}</pre></details></div>`;
}

const SEVERITIES: Severity[] = ["critical", "error", "warning", "info"];

/** The status line: the overall status and the number of findings of each severity. */
function statusSection(report: CheckReport): string {
  const count = (s: Severity) => report.findings.filter((f) => f.severity === s).length;
  const worst = SEVERITIES.find((s) => count(s) > 0);
  const words =
    worst === undefined
      ? "No problems found"
      : worst === "info"
        ? "Notes only"
        : worst === "warning"
          ? "Warnings"
          : "Problems found";
  const counts = SEVERITIES.map((s) => `${count(s)} ${s}`).join(", ");
  const notRun = report.notRun.length > 0 ? ` · ${report.notRun.length} check(s) not run in this mode` : "";
  const f = report.facts;
  return `<p class="status" role="status">${worst === undefined ? badge("ok") : badge(worst)} <strong>${words}</strong> <span>${report.findings.length} finding(s): ${counts}${notRun}</span></p>
<p class="meta">${escapeHtml(f.mode)} mode · ${pathHtml(f.source.replace(/^(image|bundle) /, ""))} · signatures verified at ${escapeHtml(report.policy.at)}</p>`;
}

function findingsSection(report: CheckReport): string {
  const cards = report.findings.map((f) => findingCard(f, report)).join("\n");
  return `<h2>Findings</h2>${cards || `<p>${badge("ok")} No problems found.</p>`}`;
}

function connectorSection({ facts: f }: CheckReport): string {
  return `<h2>Connector</h2>${dataTable(
    ["install folder"],
    f.install.folders.map((x) => [x]),
  )}${dataTable(
    ["binary", "machine", "version", "sha256"],
    f.install.binaries.map((b) => [b.path, b.machine, b.fileVersion, b.sha256]),
  )}`;
}

function outlookSection({ facts: f }: CheckReport): string {
  return `<h2>Outlook</h2>${dataTable(
    ["product", "version", "bitness", "channel"],
    f.office.found ? [[f.office.product, f.office.version, f.office.bitness, f.office.channel]] : [],
  )}`;
}

function profilesSection({ facts: f }: CheckReport): string {
  return `<h2>Profiles</h2>${dataTable(
    ["user", "layout", "profile", "default", "KOFF"],
    f.profiles.map((p) => [p.user, p.layout, p.name, p.isDefault ? "yes" : "", p.hasKoff ? "yes" : ""]),
  )}`;
}

function mapisvcSection({ facts: f }: CheckReport): string {
  return `<h2>MAPISVC.INF</h2>${dataTable(
    ["file", "section", "registered", "MAPI loads", "resolved"],
    f.mapisvc.registrations.map((r) => [
      r.file,
      r.section,
      r.registered,
      r.loadPath,
      r.resolved ? "yes" : "no",
    ]),
  )}`;
}

function cachesSection({ facts: f }: CheckReport): string {
  return `<h2>Caches</h2>${dataTable(
    ["user", "profile", "bytes", "databases"],
    f.caches.map((c) => [
      c.user,
      c.profile,
      c.bytes,
      c.databases.map((d) => `${d.name} ${d.valid ? "ok" : d.problems.join("/")}`).join(", "),
    ]),
  )}`;
}

function defenderSection({ facts: f }: CheckReport): string {
  return `<h2>Defender exclusions</h2>${dataTable(
    ["path", "source"],
    f.defender.exclusions.map((e) => [e.path, e.source]),
  )}`;
}

function triageSection({ facts: f }: CheckReport): string {
  return `<h2>Triage of connector binaries and stray DLLs</h2>${triageCards(f.triage)}`;
}

function notVisibleSection(report: CheckReport): string {
  return `<h2>Not visible in this mode</h2>${dataTable(
    ["fact", "why"],
    [...Object.entries(report.facts.unknown), ...report.notRun.map((n) => [`check ${n.id}`, n.reason])],
  )}`;
}

/** The sections of the check report, in page order; each returns its HTML (heading included). */
/** The timeline section: the last relevant event-log records, oldest first (src/report/timeline.ts). */
function timelineSection(report: CheckReport): string {
  if (report.facts.events === undefined) return "";
  const rows = eventTimeline(report.facts).map((e) => [e.time, e.log, `${e.provider} ${e.id}`, e.summary]);
  return `<h2>Timeline</h2>${rows.length ? dataTable(["time (UTC)", "log", "event", "what happened"], rows) : '<p class="meta">No relevant event-log records.</p>'}`;
}

export const CHECK_SECTIONS: ReadonlyArray<(report: CheckReport) => string> = [
  statusSection,
  findingsSection,
  timelineSection,
  connectorSection,
  outlookSection,
  profilesSection,
  mapisvcSection,
  cachesSection,
  defenderSection,
  triageSection,
  notVisibleSection,
];

/** HTML for `check --html`. */
export function renderCheckHtml(report: CheckReport): string {
  return page("koff-doctor check", CHECK_SECTIONS.map((section) => section(report)).join("\n"));
}
