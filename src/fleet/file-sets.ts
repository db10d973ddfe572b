/**
 * The files a run saw, as one row of `file_sets` shared by every run that saw the same ones
 * (migration 6, src/fleet/sql.ts): a fleet's hosts mostly see the same few sets of paths and
 * hashes, so a run's row holds the set's key, not five arrays. The key is the SHA-256 of the
 * five arrays' PostgreSQL text forms written one after the other (`paths::text ||
 * sha256::text || verdicts::text || provider::text || in_install::text`, as UTF-8), the same
 * that migration 6 computes in SQL for the runs stored before it; those text forms are also what
 * ingest sends the arrays as. Each text form starts with `{` and ends at its matching `}`, so
 * the concatenation is read back one way only.
 *
 * Source: PostgreSQL, "Arrays", 8.15.6 "Array Input and Output Syntax" (an element is quoted when
 * it is empty, is `NULL` in any case, or holds a brace, a comma, a double quote, a backslash or
 * white space; within quotes, double quotes and backslashes are escaped with a backslash),
 * https://www.postgresql.org/docs/current/arrays.html#ARRAYS-IO; the boolean type's output
 * (`t`, `f`), https://www.postgresql.org/docs/current/datatype-boolean.html.
 */
import { createHash } from "node:crypto";
import type { ReportRows } from "./report-rows.js";

/** One set of files: its key, and its five arrays in PostgreSQL's text form. */
export interface FileSet {
  /** SHA-256 of the five text forms, one after the other. */
  key: Buffer;
  /** `key` in lower-case hex. */
  hex: string;
  paths: string;
  sha256: string;
  verdicts: string;
  provider: string;
  inInstall: string;
}

/** Characters that make array_out quote an element: braces, comma, quote, backslash, white space. */
const NEEDS_QUOTES = /[{}",\\ \t\n\r\v\f]/;

/** One text element as array_out writes it. */
function element(s: string): string {
  // ASCII case only, as array_out's pg_strcasecmp (and /i without the u flag) compares.
  if (s === "" || /^null$/i.test(s) || NEEDS_QUOTES.test(s)) return `"${s.replace(/["\\]/g, "\\$&")}"`;
  return s;
}

/** A one-dimensional `text[]` with no NULL element, as PostgreSQL writes it (array_out). */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map(element).join(",")}}`;
}

/** A one-dimensional `boolean[]` with no NULL element, as PostgreSQL writes it. */
export function boolArrayLiteral(values: readonly boolean[]): string {
  return `{${values.map((b) => (b ? "t" : "f")).join(",")}}`;
}

/** Sets remembered at most; then forgotten and made again as they come. */
const REMEMBERED = 10_000;

/** The file sets of the runs of one ingest, each made once. */
export class FileSets {
  /** By the five fields of every file joined with U+0000, which no stored text holds. */
  private readonly made = new Map<string, FileSet>();

  /** The set of `files`, or null when there are none (a run that saw no file has no set). */
  of(files: ReportRows["files"]): FileSet | null {
    if (files.length === 0) return null;
    let id = "";
    for (const f of files)
      id += `${f.path}\0${f.sha256}\0${f.verdict}\0${f.provider ? "t" : "f"}${f.inInstall ? "t" : "f"}\0`;
    let set = this.made.get(id);
    if (set === undefined) {
      if (this.made.size >= REMEMBERED) this.made.clear();
      set = make(files);
      this.made.set(id, set);
    }
    return set;
  }
}

function make(files: ReportRows["files"]): FileSet {
  const paths = textArrayLiteral(files.map((f) => f.path));
  const sha256 = textArrayLiteral(files.map((f) => f.sha256));
  const verdicts = textArrayLiteral(files.map((f) => f.verdict));
  const provider = boolArrayLiteral(files.map((f) => f.provider));
  const inInstall = boolArrayLiteral(files.map((f) => f.inInstall));
  const key = createHash("sha256")
    .update(paths + sha256 + verdicts + provider + inInstall, "utf8")
    .digest();
  return { key, hex: key.toString("hex"), paths, sha256, verdicts, provider, inInstall };
}
