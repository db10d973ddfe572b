/**
 * `fleet summary` as text (a terminal) and as one self-contained HTML page (inline CSS, no
 * script, no external resource), laid out for wide and narrow screens. Source: docs/fleet.md
 * ("fleet summary").
 */
import { printable } from "../report/terminal-text.js";
import { escapeHtml } from "../report/index.js";
import type { FleetSummary } from "./summary.js";

const short = (sha256: string) => sha256.slice(0, 16);

/**
 * The summary as plain text, sections in the order an analyst reads them. Every value a host's
 * report put in the store goes through {@link printable}: the CLI's terminal filter lets colour
 * and erase-line sequences through, and a line break would let one host forge a line.
 */
export function renderFleetText(s: FleetSummary): string {
  const out: string[] = [];
  const t = s.totals;
  const p = printable;
  out.push(`Fleet: ${t.hosts} hosts, ${t.runs} runs, ${t.findings} findings, ${t.files} distinct files`);
  out.push("", "Status (latest run of each host):");
  for (const r of s.statuses) out.push(`  ${p(r.status).padEnd(10)} ${r.hosts}`);
  out.push("", "Findings, worst first (hosts):");
  if (s.findings.length === 0) out.push("  none");
  for (const f of s.findings) out.push(`  ${p(f.severity).padEnd(9)} ${p(f.checkId).padEnd(32)} ${f.hosts}`);
  out.push("", "Provider DLLs by hash (single host outside the install folder first):");
  if (s.providerHashes.length === 0) out.push("  none");
  for (const h of s.providerHashes) {
    const flag = h.singleHostOutsideInstall ? "  <-- one host, outside the install folder" : "";
    out.push(`  ${p(short(h.sha256))}  ${p(h.verdict).padEnd(10)} hosts ${h.hosts}${flag}`);
    for (const where of h.paths.slice(0, 5)) out.push(`      ${p(where)}`);
    if (h.paths.length > 5) out.push(`      … ${h.paths.length - 5} more locations`);
  }
  out.push("", "Connector versions:");
  for (const v of s.connectorVersions) out.push(`  ${p(v.version ?? "not installed").padEnd(16)} ${v.hosts}`);
  out.push("", "Outlook versions:");
  for (const v of s.outlookVersions)
    out.push(
      `  ${p(`${v.version ?? "not found"}${v.bitness ? ` (${v.bitness})` : ""}`).padEnd(28)} ${v.hosts}`,
    );
  if (s.notSeenSince) {
    out.push("", `Not seen since ${p(s.notSeenSince.since)}: ${s.notSeenSince.hosts.length}`);
    for (const h of s.notSeenSince.hosts)
      out.push(`  ${p(h.lastSeen)}  ${p(h.computerName ?? h.hostId)}${h.user ? ` (${p(h.user)})` : ""}`);
  }
  return `${out.join("\n")}\n`;
}

function table(caption: string, head: string[], rows: unknown[][], rowClass?: (i: number) => string): string {
  const body = rows
    .map(
      (r, i) =>
        `<tr${rowClass?.(i) ? ` class="${rowClass(i)}"` : ""}>${r.map((c, j) => `<td data-label="${escapeHtml(head[j])}">${c}</td>`).join("")}</tr>`,
    )
    .join("\n");
  return `<section><h2>${escapeHtml(caption)}</h2>${
    rows.length === 0
      ? "<p>none</p>"
      : `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>\n${body}\n</tbody></table>`
  }</section>`;
}

const CSS = `body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:16px;color:#1b1b1b}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
code{font-family:ui-monospace,monospace;word-break:break-all}.long{overflow-wrap:anywhere}.alert{background:#fde8e8}
.sev-critical,.sev-error{color:#a40000;font-weight:600}.sev-warning{color:#8a5a00}.badge{white-space:nowrap}
.totals{display:flex;flex-wrap:wrap;gap:12px}.totals div{background:#f3f3f3;padding:8px 12px;border-radius:6px}
@media (max-width:600px){thead{display:none}tr{display:block;border-bottom:2px solid #ccc;padding:4px 0}
td{display:block;border:0;padding:2px 4px}td::before{content:attr(data-label) ": ";font-weight:600}}`;

/** The words of each vocabulary a cell shows as a badge (a class name is built only from these). */
const SEVERITIES = new Set(["info", "warning", "error", "critical"]);
const STATUSES = new Set(["ok", ...SEVERITIES]);
const VERDICTS = new Set(["clean", "suspicious", "malicious", "error"]);
const BITNESS = new Set(["x86", "x64"]);

/**
 * A word of a known vocabulary as a badge that never breaks (`sev-<word>` when `styled`); a value
 * outside it (only a store written by something else holds one) as code, which may break anywhere.
 */
function word(value: string, known: ReadonlySet<string>, styled = false): string {
  if (!known.has(value)) return `<code>${escapeHtml(value)}</code>`;
  return `<span class="badge${styled ? ` sev-${value}` : ""}">${value}</span>`;
}

/** A value that may be long and unbroken (a host or user name, a version): wraps anywhere. */
const long = (value: string) => `<span class="long">${escapeHtml(value)}</span>`;

/**
 * The summary as one self-contained HTML page: every value from the store is escaped text (a
 * host name is whatever the machine's registry said), and long unbroken values (hashes, paths,
 * host names) wrap inside their cell at any width.
 */
export function renderFleetHtml(s: FleetSummary): string {
  const t = s.totals;
  const sections = [
    table(
      "Findings, worst first",
      ["Finding", "Severity", "Hosts"],
      s.findings.map((f) => [
        `<code>${escapeHtml(f.checkId)}</code>`,
        word(f.severity, SEVERITIES, true),
        f.hosts,
      ]),
    ),
    table(
      "Provider DLLs by hash",
      ["SHA-256", "Verdict", "Hosts", "Locations"],
      s.providerHashes.map((h) => [
        `<code>${escapeHtml(h.sha256)}</code>`,
        word(h.verdict, VERDICTS),
        h.hosts,
        h.paths.map((p) => `<code>${escapeHtml(p)}</code>`).join("<br>"),
      ]),
      (i) => (s.providerHashes[i]!.singleHostOutsideInstall ? "alert" : ""),
    ),
    table(
      "Status",
      ["Status", "Hosts"],
      s.statuses.map((r) => [word(r.status, STATUSES, true), r.hosts]),
    ),
    table(
      "Connector versions",
      ["Version", "Hosts"],
      s.connectorVersions.map((v) => [long(v.version ?? "not installed"), v.hosts]),
    ),
    table(
      "Outlook versions",
      ["Version", "Bitness", "Hosts"],
      s.outlookVersions.map((v) => [
        long(v.version ?? "not found"),
        v.bitness === null ? "" : word(v.bitness, BITNESS),
        v.hosts,
      ]),
    ),
  ];
  if (s.notSeenSince)
    sections.push(
      table(
        `Not seen since ${s.notSeenSince.since}`,
        ["Host", "User", "Last seen"],
        s.notSeenSince.hosts.map((h) => [
          long(h.computerName ?? h.hostId),
          long(h.user ?? ""),
          escapeHtml(h.lastSeen),
        ]),
      ),
    );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>koff-doctor fleet summary</title><style>${CSS}</style></head>
<body><h1>koff-doctor fleet summary</h1>
<div class="totals"><div>${t.hosts} hosts</div><div>${t.runs} runs</div><div>${t.findings} findings</div><div>${t.files} files</div></div>
${sections.join("\n")}
</body></html>
`;
}
