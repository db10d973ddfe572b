/**
 * The building blocks of the HTML reports (html-report.ts): escaping, the one inline style sheet,
 * badges, long paths that wrap at their separators, evidence as labelled key/value rows, and
 * tables that fold into labelled rows on a narrow screen. No scripts, no external resources.
 *
 * Badge colours meet WCAG 2.x AA for normal text (contrast ≥ 4.5:1,
 * https://www.w3.org/TR/WCAG21/#contrast-minimum; relative luminance as defined there); a test
 * computes the ratio from the style sheet the page carries.
 */
import { escapeHtml, stringifyJson } from "../../report/index.js";
import { toolInfo } from "../../version.js";

/** The one HTML escaper (src/report/html-text.ts), re-exported for the renderers here. */
export { escapeHtml };

/** Every badge kind, with its text and background colour (sRGB hex). */
export const BADGE_COLORS = {
  critical: { fg: "#ffffff", bg: "#a40e26" },
  malicious: { fg: "#ffffff", bg: "#a40e26" },
  error: { fg: "#ffffff", bg: "#cf222e" },
  warning: { fg: "#1b1f24", bg: "#f2c744" },
  suspicious: { fg: "#1b1f24", bg: "#f2c744" },
  info: { fg: "#ffffff", bg: "#57606a" },
  unknown: { fg: "#ffffff", bg: "#57606a" },
  ok: { fg: "#ffffff", bg: "#1a7f37" },
  clean: { fg: "#ffffff", bg: "#1a7f37" },
  unreadable: { fg: "#ffffff", bg: "#6e40c9" },
  carried: { fg: "#ffffff", bg: "#0550ae" },
} as const satisfies Record<string, { fg: string; bg: string }>;

export type BadgeKind = keyof typeof BADGE_COLORS;

const BADGE_CSS = Object.entries(BADGE_COLORS)
  .map(([k, c]) => `.badge.${k}{color:${c.fg};background:${c.bg}}`)
  .join("\n");

/**
 * The style sheet. Words never break mid-word: headings and badges keep normal wrapping
 * (`white-space:nowrap` for badges); only code and value cells (paths, hashes) may break
 * anywhere, after their separators first (`<wbr>`, see {@link pathHtml}).
 */
const CSS = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#ffffff;--card:#ffffff;--line:#d0d7de;--soft:#f6f8fa;--link:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#161b22;--line:#30363d;--soft:#1f242c;--link:#4493f8}}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:72rem;padding:1.5rem 1rem;color:var(--fg);background:var(--bg)}
h1{font-size:1.5rem;margin:0 0 .3rem} h2{font-size:1.15rem;margin:2rem 0 .6rem;border-bottom:1px solid var(--line);padding-bottom:.3rem}
h3{font-size:1rem;margin:0 0 .4rem;line-height:1.6}
h1,h2,h3,th,dt,.badge{overflow-wrap:normal;word-break:normal;hyphens:manual}
.meta{color:var(--muted)} a{color:var(--link)}
.status{display:flex;flex-wrap:wrap;gap:.4rem .8rem;align-items:center;padding:.7rem .9rem;border:1px solid var(--line);border-radius:6px;background:var(--soft)}
.status strong{font-size:1.05rem}
.card{border:1px solid var(--line);border-radius:6px;padding:.7rem .9rem;margin:.7rem 0;background:var(--card);min-width:0;max-width:100%}
.badge{display:inline-block;white-space:nowrap;padding:.05rem .55rem;border-radius:1rem;font-size:12px;font-weight:600;line-height:1.5;vertical-align:.1em}
${BADGE_CSS}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Consolas,"Liberation Mono",monospace}
code.path,code.hash,.v,.v code{overflow-wrap:anywhere;word-break:normal}
.prose{overflow-wrap:break-word}
pre{background:var(--soft);padding:.6rem;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere;max-width:100%}
.next{margin:.5rem 0 0} .next code{display:block;padding:.4rem .6rem;background:var(--soft);border-radius:4px;overflow-wrap:anywhere}
dl.kv{display:grid;grid-template-columns:minmax(7rem,max-content) minmax(0,1fr);gap:.15rem .9rem;margin:.3rem 0}
dl.kv dt{color:var(--muted);font-weight:600} dl.kv dd{margin:0;min-width:0;overflow-wrap:anywhere}
dl.kv dl.kv{margin:0;padding-left:.6rem;border-left:2px solid var(--line)}
ul.list{margin:0;padding-left:1.1rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--soft);font-weight:600}
td{min-width:0;overflow-wrap:anywhere}
details{margin-top:.4rem} details summary{cursor:pointer;color:var(--link)}
@media (max-width:40rem){
  body{padding:1rem .6rem}
  table.grid,table.grid tbody,table.grid tr,table.grid td{display:block;width:100%}
  table.grid thead{display:none}
  table.grid tr{border:1px solid var(--line);border-radius:6px;margin:.5rem 0;padding:.2rem .4rem}
  table.grid td{display:grid;grid-template-columns:7rem minmax(0,1fr);gap:.6rem;border:0;padding:.2rem 0}
  table.grid td::before{content:attr(data-label);color:var(--muted);font-weight:600;overflow-wrap:normal}
  dl.kv{grid-template-columns:minmax(0,1fr)} dl.kv dd{margin-bottom:.3rem}
}
@media print{
  :root{--fg:#000;--muted:#333;--bg:#fff;--card:#fff;--soft:#fff;--line:#999}
  body{max-width:none;padding:0;font-size:11pt} .card,tr{break-inside:avoid}
  details{display:block} details>summary{display:none}
  .badge{border:1px solid #000;print-color-adjust:exact;-webkit-print-color-adjust:exact}
}
`;

/** A badge: a short word on its colour, never broken. */
export function badge(kind: BadgeKind, text: string = kind): string {
  return `<span class="badge ${escapeHtml(kind)}">${escapeHtml(text)}</span>`;
}

/**
 * A path or other long token with a line-break opportunity after each `\` and `/` (not inside a
 * `\uXXXX` the escaper wrote for a control character).
 */
export function pathHtml(path: string): string {
  return `<code class="path">${escapeHtml(path).replace(/([\\/])(?!u[0-9a-f]{4})/g, "$1<wbr>")}</code>`;
}

/**
 * Prose that may carry paths: escaped, with a line-break opportunity after each `\` and `/`, so
 * a path inside a sentence wraps at its separators rather than mid-name.
 */
export function proseHtml(text: string): string {
  return escapeHtml(text).replace(/([\\/])(?=[^\s])(?!u[0-9a-f]{4})/g, "$1<wbr>");
}

/** A Windows path (`C:\…`, `\\srv\share`) or a host path. */
function looksLikePath(s: string): boolean {
  return /^(?:[A-Za-z]:[\\/]|\\\\|\/|HK(?:LM|CU|U|CR)\\)/.test(s);
}

/** A scalar value: paths and hashes as code that may wrap, everything else as text. */
export function scalarHtml(value: unknown): string {
  if (value === null || value === undefined) return `<span class="meta">none</span>`;
  if (typeof value === "boolean") return value ? "yes" : "no";
  const text = String(value);
  if (looksLikePath(text)) return pathHtml(text);
  if (/^[0-9a-f]{32,}$/i.test(text)) return `<code class="hash">${escapeHtml(text)}</code>`;
  return escapeHtml(text);
}

/** `loadPath` → "load path", `sha256` → "sha256". */
export function labelOf(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}

/** How many items of one list the report shows; the rest is counted. */
const MAX_LIST_ITEMS = 50;
/** How deep nested evidence is unfolded before it is shown as JSON. */
const MAX_DEPTH = 5;

/** JSON text of a value (bigints as decimal strings). */
export function jsonText(value: unknown): string {
  return stringifyJson(value, 2) ?? "";
}

/** Any evidence value as readable HTML: objects as key/value rows, lists as lists. */
export function valueHtml(value: unknown, depth = 0): string {
  if (value === null || typeof value !== "object") return scalarHtml(value);
  if (depth >= MAX_DEPTH) return `<pre>${escapeHtml(jsonText(value))}</pre>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return `<span class="meta">none</span>`;
    const shown = value.slice(0, MAX_LIST_ITEMS).map((v) => `<li>${valueHtml(v, depth + 1)}</li>`);
    const more =
      value.length > MAX_LIST_ITEMS ? `<li class="meta">… ${value.length - MAX_LIST_ITEMS} more</li>` : "";
    return `<ul class="list">${shown.join("")}${more}</ul>`;
  }
  return keyValueHtml(value as Record<string, unknown>, depth);
}

/** An object as labelled rows (`<dl>`); undefined fields are left out. */
export function keyValueHtml(fields: Record<string, unknown>, depth = 0): string {
  const rows = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<dt>${escapeHtml(labelOf(k))}</dt><dd>${valueHtml(v, depth + 1)}</dd>`);
  return rows.length > 0 ? `<dl class="kv">${rows.join("")}</dl>` : `<span class="meta">none</span>`;
}

/**
 * One table cell, labelled by its column for the narrow layout; the content sits in one `<div>`
 * so the label and the content are the cell's only two grid items.
 */
export function cell(label: string, html: string, cls = ""): string {
  return `<td${cls ? ` class="${cls}"` : ""} data-label="${escapeHtml(label)}"><div>${html}</div></td>`;
}

/**
 * A table of facts. On a narrow screen each row becomes a small card whose cells are labelled by
 * their column (`data-label`), so nothing needs to scroll sideways.
 */
export function dataTable(headers: string[], rows: unknown[][]): string {
  if (rows.length === 0) return `<p class="meta">none</p>`;
  const head = `<thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>`;
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => cell(headers[i] ?? "", scalarHtml(c), "v")).join("")}</tr>`)
    .join("");
  return `<table class="grid">${head}<tbody>${body}</tbody></table>`;
}

/** The whole page around a report's body. */
export function page(title: string, body: string): string {
  const tool = toolInfo();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
<p class="meta">Generated by ${escapeHtml(tool.name)} ${escapeHtml(tool.version)}. Nothing in the inspected files was loaded or executed.</p>
</main></body></html>
`;
}
