/**
 * What a fuzz target is: a name, its seed inputs, how to run one input through the real entry
 * points, and the typed error classes those entry points may throw. Adding a format is one file
 * under `fuzz/targets/` and one line in `fuzz/targets/index.ts`.
 */
import type { Rng } from "./mutate.js";

/** An error class a target may throw (a typed error with a `code`). */
export type ErrorClass = abstract new (...args: never[]) => Error & { code: string };

export interface FuzzTarget {
  /** Short name: `--target NAME`, report rows, reproducers. */
  readonly name: string;
  /**
   * Cases per cycle of a mixed run (default 1): cheap parsers get more cases than the bundle
   * reader, which runs a whole check per case.
   */
  readonly weight?: number;
  /** Errors that count as a handled refusal; any other throw is a defect ("untyped"). */
  readonly typedErrors: readonly ErrorClass[];
  /** Seed inputs, read once per process (may be built in memory from the repo's fixtures). */
  seeds(): Uint8Array[] | Promise<Uint8Array[]>;
  /**
   * Field-aware mutations of this format (PE header fields, DER lengths, cell sizes, …), used for
   * part of the cases; generic byte mutations are used otherwise. Returns a new array.
   */
  mutate?(bytes: Uint8Array, rng: Rng): Uint8Array;
  /** Share of cases built by {@link mutate} rather than generic mutations (default 0.5). */
  readonly fieldAwareShare?: number;
  /**
   * Replaces input generation altogether (for containers whose parts must stay consistent, e.g.
   * bundles: mutate one member, then fix the manifest up). `generic` applies generic mutations.
   */
  generate?(seed: Uint8Array, rng: Rng, generic: (bytes: Uint8Array) => Uint8Array): Uint8Array;
  /** Runs one input through the format's entry points; returns normally when it was handled. */
  run(bytes: Uint8Array): void | Promise<void>;
}
