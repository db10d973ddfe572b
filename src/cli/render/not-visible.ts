/**
 * What a mode could not see, said once in plain words: `check`'s facts that are `unknown` (the
 * mode has no such port, or a collector could not read them) and the checks that could not run
 * for want of them, folded into one sentence per mode. The reasons stay in `check --json`
 * (`facts.unknown`, `notRun`), where scripts read them.
 *
 * Source: docs/json-contract.md ("facts.unknown", "notRun").
 */
import type { Mode } from "../../vocabulary/index.js";

/** What a fact the modes may not see is called in a sentence. */
const FACT_WORDS: Record<string, string> = {
  processes: "running processes",
  network: "network connections",
  events: "event logs",
  freeDiskBytes: "free disk space",
  strays: "part of the search for stray provider DLLs",
  omittedFiles: "files left out of the bundle",
};

/** Facts a whole mode lacks (no such port): their reason only restates the mode. */
const MODE_FACTS = new Set(["processes", "network", "freeDiskBytes"]);

/** A reason that only says the mode cannot see the fact: the sentence already says so. */
const MODE_ONLY = /\b(cannot see|does not carry|does not read|is unknown in this mode)\b/;

/** How each mode is named in "Not visible …". */
const MODE_WORDS: Record<Mode, string> = {
  image: "from an image",
  bundle: "in a bundle",
  live: "on this machine",
};

/**
 * Some logs of `events (A, B)` could not be read (the collector reads the others): their names as
 * Windows spells them, never lower-cased.
 */
function unreadLogs(key: string): string | undefined {
  const logs = /^events \((.+)\)$/.exec(key)?.[1]?.split(", ");
  if (!logs) return undefined;
  const names = logs.length === 1 ? logs[0] : `${logs.slice(0, -1).join(", ")} and ${logs.at(-1)}`;
  return `the ${names} event log${logs.length === 1 ? "" : "s"}`;
}

/** One unknown fact in words, with what to do about it when its reason says so. */
export function describeUnknown(key: string, reason: string, mode: Mode): string {
  // `hive:<mount>`, `caches:<user>`: the name is everything after the first colon (it may hold more).
  const colon = key.indexOf(":");
  const kind = colon < 0 ? key : key.slice(0, colon);
  const name = colon < 0 ? undefined : key.slice(colon + 1);
  const words =
    kind === "caches" && name
      ? `the caches of ${name}`
      : kind === "hive" && name
        ? `the registry hive ${name}`
        : (FACT_WORDS[key] ?? unreadLogs(key) ?? key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase());
  const why = reason.replace(new RegExp(`^${mode} mode:?\\s*`), "");
  const hint = /\((pass [^)]*)\)/.exec(why)?.[1];
  if (hint) return `${words} (${hint})`;
  if (MODE_ONLY.test(why) || MODE_FACTS.has(key)) return words;
  return `${words} (${why})`;
}

/**
 * The "Not visible …" sentence of a check run, or undefined when everything was seen:
 * `Not visible from an image: running processes, …, free disk space (pass --free-space);
 * 3 checks not run: a, b, c.`
 */
export function notVisibleLine(
  mode: Mode,
  unknown: Record<string, string>,
  notRun: ReadonlyArray<{ id: string }>,
): string | undefined {
  const facts = Object.entries(unknown).map(([k, why]) => describeUnknown(k, why, mode));
  if (facts.length === 0 && notRun.length === 0) return undefined;
  const seen = facts.length > 0 ? `Not visible ${MODE_WORDS[mode]}: ${facts.join(", ")}` : "";
  const checks =
    notRun.length === 0
      ? ""
      : `${notRun.length} check${notRun.length === 1 ? "" : "s"} not run: ${notRun.map((n) => n.id).join(", ")}`;
  return `${[seen, checks].filter(Boolean).join("; ")}.`;
}
