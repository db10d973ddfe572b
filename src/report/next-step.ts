/**
 * The commands koff-doctor prints for the user to run next (`next:` lines of `check`, the dry run
 * and ladder of `repair`, the undo hint, triage's next step), built in one place so the text, the
 * `--json` `next` field and the HTML report agree, and so every printed command runs as printed:
 * it names the source the report was made from (`--image DIR`; a bundle cannot be repaired, so
 * its command is the live one, to run on the machine the bundle came from), the profile and user
 * a step needs, and each argument quoted for the shell.
 *
 * Quoting: POSIX `sh` single quotes (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html,
 * 2.2.2 "Single-Quotes"); Windows double quotes as the C runtime and CommandLineToArgvW split
 * them (https://learn.microsoft.com/en-us/cpp/c-language/parsing-c-command-line-arguments),
 * which cmd.exe and PowerShell both pass through for names with spaces and apostrophes.
 *
 * Source: docs/runbook.md ("Steps"), docs/json-contract.md ("findings").
 */
import type { Finding } from "../check/finding.js";
import type { Mode, StepId } from "../vocabulary/index.js";

/** The program name every printed command starts with. */
export const PROGRAM = "koff-doctor";

/** The shell a printed command is quoted for. */
export type ShellStyle = "posix" | "windows";

/** The shell of a host platform (`process.platform`): `windows` on win32, else `posix`. */
export function shellStyleOf(platform: string): ShellStyle {
  return platform === "win32" ? "windows" : "posix";
}

/** Where a report was made from, as the command line names it again. */
export type CommandSource =
  | { mode: "image"; image: string }
  /** `redacted`: collected with `--redact`, so the user names it holds are stand-ins (`user-1`). */
  | { mode: "bundle"; bundle: string; redacted?: boolean }
  | { mode: "live" };

/** A command to run next: its arguments (after the program name) and its quoted text. */
export interface NextStep {
  /** Arguments after `koff-doctor`, unquoted: what a script passes to `execFile`. */
  argv: string[];
  /** The whole command as printed, quoted for the shell: `koff-doctor repair --step clear-cache …`. */
  command: string;
  /** Set when the command does not run where the report was read, e.g. from a bundle. */
  where?: string;
}

const ON_THE_MACHINE = "on the machine the bundle was collected from";
const NOT_FROM_A_BUNDLE = "repair does not read a bundle, so for its mounted disk add --image DIR";

/** Where a bundle's repair runs, said beside its command. */
export const BUNDLE_REPAIR_WHERE = `${ON_THE_MACHINE}; ${NOT_FROM_A_BUNDLE}`;

/** Where a redacted bundle's repair runs: {@link BUNDLE_REPAIR_WHERE}, and the user to name there. */
export const REDACTED_BUNDLE_REPAIR_WHERE = `${ON_THE_MACHINE}, adding --user and the real user name, as the bundle's user names are redacted; ${NOT_FROM_A_BUNDLE}`;

const POSIX_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
const WINDOWS_SAFE = /^[A-Za-z0-9_@+=:,./\\-]+$/;

/**
 * One argument quoted for `style`, bare when it needs no quoting: POSIX wraps it in `'…'` (a `'`
 * inside becomes `'\''`); Windows wraps it in `"…"`, doubling the backslashes before a quote and
 * escaping the quote (`\"`), as CommandLineToArgvW reads it back.
 */
export function quoteArg(arg: string, style: ShellStyle): string {
  if (style === "posix") {
    if (POSIX_SAFE.test(arg)) return arg;
    return `'${arg.replace(/'/g, `'\\''`)}'`;
  }
  if (WINDOWS_SAFE.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const ch of arg) {
    if (ch === "\\") {
      slashes++;
      continue;
    }
    out += "\\".repeat(ch === '"' ? slashes * 2 + 1 : slashes) + ch;
    slashes = 0;
  }
  return `${out}${"\\".repeat(slashes * 2)}"`;
}

/** `koff-doctor ARG…`, each argument quoted for `style`. */
export function formatCommand(argv: readonly string[], style: ShellStyle): string {
  return [PROGRAM, ...argv.map((a) => quoteArg(a, style))].join(" ");
}

/** A {@link NextStep} of `argv`. */
export function nextStep(argv: string[], style: ShellStyle, where?: string): NextStep {
  return { argv, command: formatCommand(argv, style), ...(where === undefined ? {} : { where }) };
}

/**
 * The source a report names in its `mode` and `source` fields (`"image /cases/pc1"`,
 * `"bundle /tmp/b.zip"`, `"live"`), as flags can name it again; a bundle is `redacted` when its
 * host id is a hashed MachineGuid (`idSource: "machine-guid-sha256"`, written only by `--redact`).
 */
export function commandSourceOf(facts: {
  mode: Mode;
  source: string;
  host?: { idSource: string };
}): CommandSource {
  const prefix = `${facts.mode} `;
  const rest = facts.source.startsWith(prefix) ? facts.source.slice(prefix.length) : undefined;
  if (facts.mode === "image" && rest) return { mode: "image", image: rest };
  // Only `collect --redact` writes a hashed MachineGuid, so it marks a redacted bundle.
  if (facts.mode === "bundle" && rest)
    return facts.host?.idSource === "machine-guid-sha256"
      ? { mode: "bundle", bundle: rest, redacted: true }
      : { mode: "bundle", bundle: rest };
  return { mode: "live" };
}

/** The flags that name `source` again: `--image DIR`, `--bundle FILE`, or none (live). */
export function sourceArgs(source: CommandSource): string[] {
  if (source.mode === "image") return ["--image", source.image];
  if (source.mode === "bundle") return ["--bundle", source.bundle];
  return [];
}

/** The steps that act on one profile or cache and are told which by `--profile`/`--user`. */
const PROFILE_STEPS: ReadonlySet<StepId> = new Set(["clear-cache", "recreate-profile"]);

/** What narrows a step to one profile or cache. */
export interface StepTarget {
  profile?: string;
  user?: string;
}

/** Options of a repair command beyond the step and the source. */
export interface RepairCommandOptions extends StepTarget {
  /** `--trust FILE` files the report was judged with: the plan re-runs the check with them. */
  trust?: readonly string[];
  /** `--state DIR`, when the run's state lives outside the default place. */
  state?: string;
  /** Adds `--apply`: the command that carries the step out. */
  apply?: boolean;
}

/**
 * The `repair --step` command for `source`. An image names `--image DIR`; the live machine names
 * nothing; a bundle cannot be repaired, so its command is the live one with
 * {@link BUNDLE_REPAIR_WHERE} saying where it runs (quoted for Windows).
 */
export function repairStep(
  step: StepId,
  source: CommandSource,
  style: ShellStyle,
  opts: RepairCommandOptions = {},
): NextStep {
  const argv = ["repair", "--step", step, ...(source.mode === "image" ? ["--image", source.image] : [])];
  // A redacted bundle's user name is a stand-in that names nobody on the machine: left out, and
  // the `where` text asks for the real one.
  const standIn = source.mode === "bundle" && source.redacted === true && opts.user !== undefined;
  if (PROFILE_STEPS.has(step)) {
    if (opts.profile !== undefined) argv.push("--profile", opts.profile);
    if (opts.user !== undefined && !standIn) argv.push("--user", opts.user);
  }
  for (const t of opts.trust ?? []) argv.push("--trust", t);
  if (opts.state !== undefined && source.mode !== "bundle") argv.push("--state", opts.state);
  if (opts.apply) argv.push("--apply");
  if (source.mode !== "bundle") return nextStep(argv, style);
  const where = standIn && PROFILE_STEPS.has(step) ? REDACTED_BUNDLE_REPAIR_WHERE : BUNDLE_REPAIR_WHERE;
  return nextStep(argv, "windows", where);
}

/** `koff-doctor explain ID`: the doc page of a check, a runbook step or a triage indicator. */
export function explainStep(id: string, style: ShellStyle): NextStep {
  return nextStep(["explain", id], style);
}

/** The profile and user a finding's evidence names (`cache-db-invalid`, `cache-missing`, …). */
export function targetOf(finding: Pick<Finding, "evidence">): StepTarget {
  const { profile, user } = finding.evidence;
  return {
    ...(typeof profile === "string" ? { profile } : {}),
    ...(typeof user === "string" ? { user } : {}),
  };
}

/** The `--trust` files of a report's policy (`file:PATH` trust sources). */
export function trustFilesOf(policy: { trust: readonly string[] }): string[] {
  return policy.trust.filter((t) => t.startsWith("file:")).map((t) => t.slice("file:".length));
}

/**
 * What to run for `finding`: its remedy's `repair --step` command (narrowed to the finding's
 * profile and user where the step acts on one), or, without a remedy, its doc page.
 */
export function findingNextStep(
  finding: Pick<Finding, "id" | "remedy" | "evidence">,
  source: CommandSource,
  style: ShellStyle,
  trust: readonly string[] = [],
): NextStep {
  if (finding.remedy === null) return explainStep(finding.id, style);
  return repairStep(finding.remedy, source, style, { ...targetOf(finding), trust });
}
