/**
 * Rows in PostgreSQL COPY text format: one line per row, columns separated by a tab, `\N` for
 * NULL, and backslash, newline, carriage return and tab written as `\\`, `\n`, `\r`, `\t`. Values
 * must already be storable text (no U+0000: src/fleet/report-rows.ts `storableText`).
 *
 * Source: PostgreSQL, COPY, "Text Format", https://www.postgresql.org/docs/current/sql-copy.html.
 */

/** A COPY column value: text, a number, a boolean or NULL. */
export type CopyValue = string | number | boolean | null;

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** One value as a COPY text field. */
export function copyField(v: CopyValue): string {
  if (v === null) return "\\N";
  if (typeof v !== "string") return String(v);
  return SPECIAL.test(v) ? v.replace(SPECIALS, (c) => ESCAPES[c]!) : v;
}

/** One row as a COPY text line, with its newline. */
export function copyLine(values: readonly CopyValue[]): string {
  return `${values.map(copyField).join("\t")}\n`;
}
