/**
 * Linearity checks: time a workload at size n and at `factor`·n and assert the ratio of the two
 * times stays well below what a quadratic algorithm gives (factor², e.g. 16 for 4×). Never a
 * wall-clock limit: only the ratio is asserted, so a slow or busy machine does not fail it.
 *
 * Noise control: inputs are built outside the timed region; a fast workload is repeated so one
 * sample lasts at least 20 ms at size n; each size is sampled several times, alternating sizes,
 * and the minimum is kept; a failing ratio is measured again (up to `attempts` times) before the
 * test fails, since a quadratic workload fails every attempt.
 * Environment: `LINEARITY_LOG=1` prints every measurement; `LINEARITY_REPETITIONS` and
 * `LINEARITY_ATTEMPTS` override the defaults (1 and 1 to time a slow old version once).
 */
import assert from "node:assert/strict";

/** Builds the input for size `n` (untimed) and returns the work to time. */
export type Workload = (n: number) => () => unknown;

/** Options of {@link assertLinear}. */
export interface LinearityOptions {
  /** The smaller size. */
  n: number;
  /** Size multiplier of the larger run. Default 4. */
  factor?: number;
  /**
   * Largest accepted time(factor·n) / time(n). Default 2.75·factor: 11 for 4×, where quadratic
   * gives 16. Linear work measured 5–7.6 at 4× on a loaded 2-core machine (GC and cache effects
   * grow with the input), so 2·factor flaked.
   */
  maxRatio?: number;
  /** Timed runs per size (minimum kept). Default 3. */
  repetitions?: number;
  /** Measurements before giving up. Default 3. */
  attempts?: number;
}

/** What {@link assertLinear} measured (milliseconds). */
export interface LinearityMeasurement {
  small: number;
  large: number;
  ratio: number;
}

/** Milliseconds for `iterations` runs of `run`, divided by `iterations`. */
async function timeRuns(run: () => unknown, iterations: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await run();
  return Number(process.hrtime.bigint() - t0) / 1e6 / iterations;
}

/** Shortest total time of one timed sample at size n: fast workloads are repeated up to it. */
const MIN_SAMPLE_MS = 20;

/** Measures `work` at n and factor·n once (minimum of `repetitions` samples each). */
export async function measureScaling(
  work: Workload,
  n: number,
  factor = 4,
  repetitions = 3,
): Promise<LinearityMeasurement> {
  const smallRun = work(n);
  const largeRun = work(n * factor);
  // Warm-up (JIT, lazy initialisation) that also calibrates how many runs make one sample, so
  // that millisecond workloads are not timed at the resolution of scheduler noise.
  const once = await timeRuns(smallRun, 1);
  await timeRuns(largeRun, 1);
  const iterations = Math.min(1000, Math.max(1, Math.ceil(MIN_SAMPLE_MS / Math.max(once, 0.01))));
  let small = Infinity;
  let large = Infinity;
  for (let i = 0; i < repetitions; i++) {
    small = Math.min(small, await timeRuns(smallRun, iterations));
    large = Math.min(large, await timeRuns(largeRun, iterations));
  }
  return { small, large, ratio: large / small };
}

/**
 * Asserts that `work` scales linearly: time(factor·n) / time(n) < maxRatio.
 * @returns the accepted measurement (for logging).
 */
export async function assertLinear(
  what: string,
  work: Workload,
  options: LinearityOptions,
): Promise<LinearityMeasurement> {
  const factor = options.factor ?? 4;
  const maxRatio = options.maxRatio ?? 2.75 * factor;
  const attempts = Number(process.env["LINEARITY_ATTEMPTS"] ?? options.attempts ?? 3);
  let best: LinearityMeasurement | undefined;
  for (let i = 0; i < attempts; i++) {
    const m = await measureScaling(
      work,
      options.n,
      factor,
      Number(process.env["LINEARITY_REPETITIONS"] ?? options.repetitions ?? 3),
    );
    if (best === undefined || m.ratio < best.ratio) best = m;
    if (m.ratio < maxRatio) break;
  }
  const m = best!;
  if (process.env["LINEARITY_LOG"]) {
    console.log(
      `[linearity] ${what}: n=${options.n} ${m.small.toFixed(1)} ms, ${factor}n ${m.large.toFixed(1)} ms, ratio ${m.ratio.toFixed(2)}`,
    );
  }
  assert.ok(
    m.ratio < maxRatio,
    `${what}: ${options.n} → ${options.n * factor} took ${m.small.toFixed(1)} ms → ${m.large.toFixed(1)} ms ` +
      `(ratio ${m.ratio.toFixed(1)}, linear ≈ ${factor}, quadratic ≈ ${factor * factor}, limit ${maxRatio})`,
  );
  return m;
}
