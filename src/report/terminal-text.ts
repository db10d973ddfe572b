/**
 * Text from the inspected machine (file names, registry values, event data) on the user's
 * terminal: a name holding ESC sequences could retitle the window, hide or recolour lines or
 * write the clipboard (OSC 52); a newline could forge a line of the report; bidirectional
 * overrides could show a name reversed (CVE-2021-42574, "Trojan Source").
 *
 * - {@link printable}: for a name printed inside a line: every control character (C0 with
 *   tab and newline, DEL, C1), bidirectional control and line or paragraph separator becomes a
 *   visible `\uXXXX`.
 * - {@link guardTerminalText}: applied to everything the CLI writes (stderr always, stdout but
 *   for `registry export`'s `.reg` data): the same characters become `\uXXXX` except newline,
 *   tab, a carriage return opening a progress line, and the colour and erase-line sequences the
 *   CLI itself writes (`ESC [ digits;… m`, `ESC [ K`). Inside JSON strings `\uXXXX` is the same
 *   character, so JSON output keeps its meaning.
 *
 * Source: ECMA-48 (C0, C1, CSI and OSC), https://ecma-international.org/publications-and-standards/standards/ecma-48/;
 * Unicode UAX #9 (bidirectional controls), https://www.unicode.org/reports/tr9/.
 */

/**
 * DEL and the C1 controls, the bidirectional controls (UAX #9: ALM, LRM, RLM, the embeddings and
 * overrides, the isolates) and the line and paragraph separators: never shown as they are.
 */
const FORMAT_CONTROLS = "\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";

/** Characters a name must never bring to the terminal as they are: every C0 control too. */
const UNSAFE = new RegExp(`[\\u0000-\\u001f${FORMAT_CONTROLS}]`, "g");

/**
 * The same minus newline and tab, which the CLI's own output holds (CR and ESC stay in it: they
 * are judged in context). Not global: it tells whether a chunk may hold anything
 * {@link UNSAFE_IN_OUTPUT} matches, whose sequences all start with ESC; one class scans about
 * 1.7× as fast, and most chunks hold nothing to escape.
 */
const MAYBE_UNSAFE_IN_OUTPUT = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f${FORMAT_CONTROLS}]`);

/** The CLI's own colour and erase-line sequences (kept), or one character to escape. */
const UNSAFE_IN_OUTPUT = new RegExp(`\\u001b\\[[0-9;]*[mK]|${MAYBE_UNSAFE_IN_OUTPUT.source}`, "g");

function escape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** `text` with every control, bidirectional control and line separator as a visible `\uXXXX`. */
export function printable(text: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text) ? text.replace(UNSAFE, escape) : text;
}

/**
 * `chunk` as it may reach the terminal: see the module comment. A carriage return is kept only
 * as the first character of a chunk (a progress line redrawn in place).
 */
export function guardTerminalText(chunk: string): string {
  const lead = chunk.startsWith("\r") ? "\r" : "";
  const body = lead === "" ? chunk : chunk.slice(1);
  if (!MAYBE_UNSAFE_IN_OUTPUT.test(body)) return chunk;
  return lead + body.replace(UNSAFE_IN_OUTPUT, (m) => (m.length > 1 ? m : escape(m)));
}
