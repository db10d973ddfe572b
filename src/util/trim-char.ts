/**
 * Trimming a run of one character from either end of a string, by a scan from that end.
 *
 * `s.replace(/\\+$/, "")` looks linear but is quadratic in V8's backtracking engine on a long run
 * of the character that is not at the end (every start inside the run re-scans the rest of it):
 * 80 000 backslashes before an `x` take seconds. These scans touch each character at most once.
 *
 * Source: measured on V8 (see test/linearity/trailing-backslash.test.ts).
 */

/** `s` without the run of `ch` (one UTF-16 code unit) at its end. */
export function trimCharEnd(s: string, ch: string): string {
  const c = ch.charCodeAt(0);
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === c) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** `s` without the run of `ch` (one UTF-16 code unit) at its start. */
export function trimCharStart(s: string, ch: string): string {
  const c = ch.charCodeAt(0);
  let start = 0;
  while (start < s.length && s.charCodeAt(start) === c) start++;
  return start === 0 ? s : s.slice(start);
}
