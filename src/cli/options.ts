/**
 * Option parsers shared by verbs (`--at`, `--trust`), turning bad values into usage errors.
 */
import { InvalidArgumentError } from "commander";

/** `--at ISO-8601` → Date. */
export function parseAt(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError(`not an ISO-8601 time: ${value}`);
  return d;
}

/** Repeatable option collector. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
