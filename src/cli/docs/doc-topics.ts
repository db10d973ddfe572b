/**
 * The topics `koff-doctor explain ID` knows, found in the Markdown pages shipped in the package's
 * docs/: each check's page (docs/checks/ID.md), each runbook step (a row of docs/runbook.md
 * "Steps"), each triage indicator (a row of docs/verdict.md "The indicators"), each page by its
 * name (`runbook`, `exit-codes`) and each section by its heading's anchor (`damaged-runs`), as
 * GitHub spells anchors. Pure: it is handed the pages' text.
 *
 * Source: https://github.github.com/gfm/ (tables, ATX headings); docs/runbook.md, docs/verdict.md.
 */

/** One explainable topic. */
export interface DocTopic {
  /** What `explain` is given: `cache-db-invalid`, `clear-cache`, `signature`, `runbook`, `damaged-runs`. */
  id: string;
  kind: "check" | "step" | "indicator" | "page" | "section";
  /** The page it comes from, relative to docs/: `checks/cache-db-invalid.md`. */
  page: string;
  /** The text printed, Markdown. */
  text: string;
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to `-`. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The cells of a Markdown table row, `|`-separated, outer pipes dropped (no escaped pipes are used). */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, "")
    .split("|")
    .map((c) => c.trim());
}

/** The text of the section under `## heading` (up to the next heading of level 2 or higher). */
function sectionBody(page: string, heading: string): string | undefined {
  const lines = page.split("\n");
  const start = lines.findIndex((l) => l.trim() === `## ${heading}`);
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && /^#{1,2} /.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

/**
 * The rows of the first table under `## heading`, each as labelled fields: the first cell's
 * id (backticks dropped) and `header: cell` lines.
 */
export function tableRows(page: string, heading: string): Array<{ id: string; fields: string[] }> {
  const body = sectionBody(page, heading);
  if (body === undefined) return [];
  const rows = body.split("\n").filter((l) => l.trim().startsWith("|"));
  if (rows.length < 3) return [];
  const header = cells(rows[0]!);
  return rows.slice(2).map((row) => {
    const c = cells(row);
    return {
      id: c[0]!.replace(/`/g, ""),
      fields: c.slice(1).map((v, i) => `${header[i + 1] ?? ""}: ${v}`),
    };
  });
}

/** The sections of a page: each ATX heading (level 2 to 4) with its text up to the next heading of its level or higher. */
function sections(page: string): Array<{ anchor: string; text: string }> {
  const lines = page.split("\n");
  const out: Array<{ anchor: string; text: string }> = [];
  let fence = false;
  const headings: Array<{ at: number; level: number; title: string }> = [];
  lines.forEach((l, at) => {
    if (/^(```|~~~)/.test(l)) fence = !fence;
    const m = fence ? null : /^(#{2,4}) (.+)$/.exec(l);
    if (m) headings.push({ at, level: m[1]!.length, title: m[2]! });
  });
  for (const [i, h] of headings.entries()) {
    const next = headings.slice(i + 1).find((n) => n.level <= h.level);
    out.push({ anchor: headingAnchor(h.title), text: lines.slice(h.at, next?.at).join("\n").trimEnd() });
  }
  return out;
}

/**
 * Every topic of `pages` (path relative to docs/ → Markdown). The first topic of an id wins, in
 * this order: checks, steps, indicators, pages, sections; so a section named like a check never
 * hides it.
 */
export function docTopics(pages: ReadonlyMap<string, string>): DocTopic[] {
  const topics: DocTopic[] = [];
  for (const [page, text] of pages) {
    const m = /^checks\/([a-z0-9-]+)\.md$/.exec(page);
    if (m) topics.push({ id: m[1]!, kind: "check", page, text });
  }
  const runbook = pages.get("runbook.md");
  for (const row of runbook === undefined ? [] : tableRows(runbook, "Steps"))
    topics.push({
      id: row.id,
      kind: "step",
      page: "runbook.md",
      text: [
        `# Runbook step \`${row.id}\``,
        "",
        ...row.fields,
        "",
        "The whole runbook: koff-doctor explain runbook",
      ].join("\n"),
    });
  const verdict = pages.get("verdict.md");
  for (const row of verdict === undefined ? [] : tableRows(verdict, "The indicators"))
    topics.push({
      id: row.id,
      kind: "indicator",
      page: "verdict.md",
      text: [
        `# Triage indicator \`${row.id}\``,
        "",
        ...row.fields,
        "",
        "How a verdict is reached: koff-doctor explain verdict",
      ].join("\n"),
    });
  for (const [page, text] of pages)
    if (!page.includes("/")) topics.push({ id: page.replace(/\.md$/, ""), kind: "page", page, text });
  for (const [page, text] of pages)
    for (const s of sections(text)) topics.push({ id: s.anchor, kind: "section", page, text: s.text });
  const seen = new Set<string>();
  return topics.filter((t) => !seen.has(t.id) && seen.add(t.id));
}

/** Edit distance of `a` and `b` (Levenshtein, two rows). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * Ids close to `wanted`, closest first, at most `limit`: those that contain it or that it
 * contains, and those within an edit distance of a third of its length (at least 2).
 */
export function closeMatches(wanted: string, ids: readonly string[], limit = 5): string[] {
  const w = wanted.toLowerCase();
  const within = Math.max(2, Math.floor(w.length / 3));
  return ids
    .map((id) => ({
      id,
      d: id.includes(w) || (w.includes(id) && id.length > 3) ? 0.5 : editDistance(w, id),
    }))
    .filter((x) => x.d <= within)
    .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))
    .slice(0, limit)
    .map((x) => x.id);
}
