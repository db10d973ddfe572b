/**
 * The members of a bundle being collected (name → bytes, in the order they were written) and the
 * one rule of redaction for what the collector writes: with a {@link Redactor}, every text and
 * JSON member is redacted as it is written; binary members and the members serialized from the
 * already redacted recording are written as they are.
 *
 * Source: docs/bundle.md ("Layout", "Redaction").
 */
import type { Redactor } from "../redaction.js";

/** File names whose content is text (values replaced); every other file is binary (never edited). */
export const TEXT_FILE = /\.(inf|ini|txt|log|cfg|conf|config|xml|json|reg|csv|htm|html|md)$/i;

const encoder = new TextEncoder();

/** `v` as UTF-8 JSON: two-space indent, a final newline, bigints as decimal strings. */
export function jsonBytes(v: unknown): Uint8Array {
  return encoder.encode(
    `${JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x), 2)}\n`,
  );
}

/** The members written so far, and how text reaches them (redacted when there is a redactor). */
export class BundleMembers {
  readonly #members = new Map<string, Uint8Array>();

  /** @param redactor - the bundle's redactor; `undefined` for an unredacted bundle. */
  constructor(readonly redactor: Redactor | undefined) {}

  /** Writes `data` as is: binary content, and members serialized from the (redacted) recording. */
  put(name: string, data: Uint8Array): void {
    this.#members.set(name, data);
  }

  /** Writes text bytes (a log tail, event XML), values replaced. */
  putText(name: string, data: Uint8Array): void {
    this.put(name, this.redactor ? this.redactor.redactBytes(data) : data);
  }

  /** Writes a JSON member: every string redacted before serializing (so escapes cannot hide a value). */
  putJson(name: string, v: unknown): void {
    this.put(name, this.jsonOf(v));
  }

  /** Writes a rendered JSON document (`check.json`), parsed and redacted string by string. */
  putRendered(name: string, doc: string): void {
    this.put(
      name,
      this.redactor ? jsonBytes(this.redactor.redactJson(JSON.parse(doc) as unknown)) : encoder.encode(doc),
    );
  }

  /** The bytes {@link putJson} would write for `v` (the manifest is built from the other members first). */
  jsonOf(v: unknown): Uint8Array {
    return jsonBytes(this.redactor ? this.redactor.redactJson(v) : v);
  }

  /** `s` with its values replaced (a path, a note, a member name derived from a path). */
  text(s: string): string {
    return this.redactor ? this.redactor.redactText(s) : s;
  }

  /** Every member, in the order written. */
  entries(): IterableIterator<[string, Uint8Array]> {
    return this.#members.entries();
  }

  /** Every member, sorted by name (code-unit order), as the manifest and the zip list them. */
  sorted(): Array<[string, Uint8Array]> {
    return [...this.#members.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
