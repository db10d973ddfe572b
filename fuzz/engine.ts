/**
 * One fuzz case, start to end: derive the case's random source from (run seed, target, case
 * index), build the input (a seed, mutated), run it through the target, classify the outcome.
 * Deterministic: the same seed, target and index always build the same input.
 */
import { caseSeed, createRng, mutateGeneric } from "./mutate.js";
import type { FuzzTarget } from "./target.js";

/** How a case ended. */
export type OutcomeKind = "ok" | "typed" | "untyped";

export interface CaseOutcome {
  target: string;
  index: number;
  kind: OutcomeKind;
  /** The typed error's `code` (`kind: "typed"`), e.g. `PeFormatError:truncated`. */
  code?: string;
  /** The defect (`kind: "untyped"`): error name, message and stack. */
  error?: string;
  /** Wall time of `run`, in milliseconds (input generation excluded). */
  ms: number;
  /** Input size in bytes. */
  size: number;
}

/** The targets of a process, with their seeds loaded once. */
export class FuzzSession {
  private readonly seeds = new Map<string, Uint8Array[]>();
  readonly byName: ReadonlyMap<string, FuzzTarget>;

  constructor(readonly targets: readonly FuzzTarget[]) {
    this.byName = new Map(targets.map((t) => [t.name, t]));
  }

  private async seedsOf(target: FuzzTarget): Promise<Uint8Array[]> {
    let s = this.seeds.get(target.name);
    if (!s) {
      s = await target.seeds();
      if (s.length === 0) throw new Error(`fuzz target ${target.name} has no seeds`);
      this.seeds.set(target.name, s);
    }
    return s;
  }

  /**
   * Loads `name`'s seeds and runs its first seed once, untimed and unchecked, so one-time costs
   * (reading fixtures, collecting seed bundles, JIT, trust stores) do not count against a case.
   */
  async prepare(name: string, warmUp = true): Promise<void> {
    const target = this.byName.get(name);
    if (!target) throw new Error(`no fuzz target ${name}`);
    const seeds = await this.seedsOf(target);
    if (!warmUp) return;
    try {
      await target.run(seeds[0]!.slice());
    } catch {
      // A seed that is refused is fine here; the cases judge outcomes.
    }
  }

  /** The input of case `index` of `target` under run seed `seed`. */
  async input(target: FuzzTarget, seed: number, index: number): Promise<Uint8Array> {
    const seeds = await this.seedsOf(target);
    const rng = createRng(caseSeed(seed, target.name, index));
    const base = rng.pick(seeds);
    const generic = (b: Uint8Array) => mutateGeneric(b, rng, seeds);
    if (rng.chance(0.01)) return base.slice();
    if (target.generate) return target.generate(base, rng, generic);
    if (target.mutate && rng.chance(target.fieldAwareShare ?? 0.5)) {
      const out = target.mutate(base, rng);
      return rng.chance(0.25) ? generic(out) : out;
    }
    return generic(base);
  }

  /** Runs case `index` of target `name` and classifies it. */
  async runCase(name: string, seed: number, index: number): Promise<CaseOutcome> {
    const target = this.byName.get(name);
    if (!target) throw new Error(`no fuzz target ${name}`);
    const bytes = await this.input(target, seed, index);
    const base = { target: name, index, size: bytes.length };
    const t0 = performance.now();
    try {
      await target.run(bytes);
      return { ...base, kind: "ok", ms: performance.now() - t0 };
    } catch (e) {
      const ms = performance.now() - t0;
      const typed = target.typedErrors.find((c) => e instanceof c);
      if (typed && typeof (e as { code?: unknown }).code === "string")
        return { ...base, kind: "typed", code: `${typed.name}:${(e as { code: string }).code}`, ms };
      const error =
        e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : `non-Error thrown: ${String(e)}`;
      return { ...base, kind: "untyped", error, ms };
    }
  }
}
