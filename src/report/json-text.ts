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

const bigintAsString = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

/**
 * `JSON.stringify(value, undefined, indent)`, with bigints as decimal strings. Most documents hold
 * no bigint, and V8 serializes them about 4× faster without a replacer function, so the plain
 * call comes first; a bigint makes it throw a TypeError, and then the replacer is used. (A cycle
 * throws a TypeError too, and throws again with the replacer: the same error as before.)
 * Typed as `JSON.stringify` is: for a bare `undefined` or function it returns `undefined`. On
 * the replacer path getters and `toJSON` methods run a second time (the repository's have no
 * side effects).
 * @returns the text.
 * @throws TypeError on a cycle.
 */
export function stringifyJson(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, undefined, indent);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return JSON.stringify(value, bigintAsString, indent);
  }
}

/** `doc` as JSON text: two-space indent, bigints as decimal strings, final newline. */
export function toJsonText(doc: unknown): string {
  return `${stringifyJson(doc, 2)}\n`;
}
