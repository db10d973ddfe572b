/**
 * The one HTML escaper of koff-doctor's pages (`check --html`, `triage --html`, `fleet summary
 * --html`): text from the inspected machine (file names, version strings, signer names, registry
 * values, evidence) becomes inert, visible text in element content and in quoted attribute values.
 *
 * - `&`, `<`, `>`, `"` and `'` become character references, so no text opens a tag, ends an
 *   attribute or starts a reference.
 * - Control characters (C0 but tab and newline, DEL, C1), bidirectional controls, line and
 *   paragraph separators, and unpaired surrogates become a visible `\uXXXX`, as on the terminal
 *   (src/report/terminal-text.ts): a control is a parse error in HTML (a NUL is shown as U+FFFD, a
 *   lone surrogate cannot be written as UTF-8 at all), and an override such as U+202E would show
 *   a name reversed (CVE-2021-42574, "Trojan Source"), so the reader sees what the name holds.
 *
 * Source: WHATWG HTML, "Escaping a string" and "Parse errors" (control-character-in-input-stream,
 * surrogate-in-input-stream), https://html.spec.whatwg.org/multipage/parsing.html; Unicode UAX #9
 * (bidirectional controls), https://www.unicode.org/reports/tr9/.
 */

/** What {@link escapeHtml} replaces: markup characters, then the characters shown as `\uXXXX`. */
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[&<>"']|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function replacement(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === "&" || ch === "<" || ch === ">" || ch === '"' || ch === "'") return `&#${code};`;
  return `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `value` (`String(value)`, `""` for null and undefined) as HTML text, safe in element content
 * and in a quoted attribute value: see the module comment.
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(UNSAFE, replacement);
}
