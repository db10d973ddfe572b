/**
 * The text form shared by every JSON document koff-doctor prints (docs/json-contract.md): two-space
 * indented, one final newline, and bigints (PE32+ image bases, which can exceed 2^53) as decimal
 * strings, since JSON numbers are IEEE 754 doubles (RFC 8259 §6,
 * https://www.rfc-editor.org/rfc/rfc8259#section-6).
 */

/** `tool` of every document: who wrote it. */
export interface ToolInfo {
  name: "koff-doctor";
  /** The package version (semver). */
  version: string;
}

/** `doc` as JSON text: two-space indent, bigints as decimal strings, final newline. */
export function toJsonText(doc: unknown): string {
  return `${JSON.stringify(doc, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}
