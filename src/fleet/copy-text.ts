/**
 * Rows in PostgreSQL COPY text format: one line per row, columns separated by a tab, `\N` for
 * NULL, and backslash, newline, carriage return and tab written as `\\`, `\n`, `\r`, `\t`. Values
 * must already be storable text (no U+0000: src/fleet/report-rows.ts `storableText`). Rows are
 * gathered into UTF-8 chunks as they are added, so a large COPY is neither one huge string nor a
 * rope of thousands of small ones.
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

/** About this many UTF-16 code units per chunk. */
const CHUNK = 1 << 18;

/** The rows of one COPY, as UTF-8 chunks of whole lines. */
export class CopyRows {
  private readonly chunks: Buffer[] = [];
  private lines: string[] = [];
  private pending = 0;
  /** Rows added. */
  count = 0;

  add(values: readonly CopyValue[]): void {
    const line = copyLine(values);
    this.lines.push(line);
    this.pending += line.length;
    this.count++;
    if (this.pending >= CHUNK) this.cut();
  }

  /** Every row added, as chunks (whole lines each). */
  chunked(): Buffer[] {
    this.cut();
    return this.chunks;
  }

  private cut(): void {
    if (this.lines.length === 0) return;
    this.chunks.push(Buffer.from(this.lines.join(""), "utf8"));
    this.lines = [];
    this.pending = 0;
  }
}
