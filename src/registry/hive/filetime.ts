/**
 * FILETIME (100-ns intervals since 1601-01-01 UTC) to `Date`.
 *
 * Source: Microsoft FILETIME structure (minwinbase.h).
 */

/** Milliseconds between 1601-01-01 and 1970-01-01. */
const EPOCH_DIFF_MS = 11_644_473_600_000n;
const MAX_DATE_MS = 8_640_000_000_000_000n;

/** The `Date` of FILETIME `ft`, or `undefined` for 0 or a value outside the `Date` range. */
export function filetimeToDate(ft: bigint): Date | undefined {
  if (ft === 0n) return undefined;
  const ms = ft / 10_000n - EPOCH_DIFF_MS;
  if (ms > MAX_DATE_MS || ms < -MAX_DATE_MS) return undefined;
  return new Date(Number(ms));
}

/** The FILETIME of `date` (truncated to whole milliseconds). Dates before 1601 give 0. */
export function dateToFiletime(date: Date): bigint {
  const t = date.getTime();
  if (!Number.isFinite(t)) return 0n;
  const ft = (BigInt(Math.trunc(t)) + EPOCH_DIFF_MS) * 10_000n;
  return ft < 0n ? 0n : BigInt.asUintN(64, ft);
}
