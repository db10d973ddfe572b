/**
 * Targets that misbehave on purpose, to prove the fuzz harness reports what it should: a plain
 * Error is untyped, an infinite loop is a hang (the watchdog ends it), a typed error is typed.
 */
import { RegistryError } from "../../src/registry/index.js";
import type { FuzzTarget } from "../../fuzz/target.js";

const seeds = () => [new Uint8Array([1, 2, 3, 4])];

export const FUZZ_TARGETS: FuzzTarget[] = [
  {
    name: "throws-plain",
    typedErrors: [RegistryError],
    seeds,
    run: () => {
      throw new Error("plain failure");
    },
  },
  {
    name: "hangs",
    typedErrors: [],
    seeds,
    run: () => {
      for (;;);
    },
  },
  {
    name: "throws-typed",
    typedErrors: [RegistryError],
    seeds,
    run: () => {
      throw new RegistryError("truncated", "typed failure");
    },
  },
];
