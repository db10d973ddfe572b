/**
 * The CLI's terminal escaping, kept in the report layer (src/report/terminal-text.ts) so that
 * renderers outside the CLI (the fleet summary's text) use the same one.
 */
export { guardTerminalText, printable } from "../report/terminal-text.js";
