/**
 * Human-readable `check`: a short summary of the machine, the findings grouped by severity
 * (critical first), the same finding repeated with the same next step shown once with a count,
 * each with what was seen, the command to run next (built by src/report/next-step.ts, so it runs
 * as printed and matches `--json`'s `next`) and the command that explains it; then the timeline
 * of relevant event-log records, then one line saying what this mode could not see.
 */
import type { Severity } from "../../check/finding.js";
import type { CheckReport } from "../../app/check-machine.js";
import { eventTimeline } from "../../report/index.js";
import { reportedFindings, type ReportedFinding } from "../../report/check-json.js";
import type { ShellStyle } from "../../report/next-step.js";
import type { CliIo } from "../io.js";
import { notVisibleLine } from "./not-visible.js";
import { printable } from "../terminal-text.js";

const ORDER: Severity[] = ["critical", "error", "warning", "info"];

function heading(s: Severity, c: CliIo["colors"]): string {
  const t = s.toUpperCase();
  return s === "critical"
    ? c.red(c.bold(t))
    : s === "error"
      ? c.red(t)
      : s === "warning"
        ? c.yellow(t)
        : c.blue(t);
}

/** Findings of one check that share their next step, in report order. */
export function groupFindings(findings: readonly ReportedFinding[]): ReportedFinding[][] {
  const groups = new Map<string, ReportedFinding[]>();
  for (const f of findings) {
    const key = `${f.severity}\0${f.id}\0${f.next.command}`;
    const group = groups.get(key);
    if (group) group.push(f);
    else groups.set(key, [f]);
  }
  return [...groups.values()];
}

/** The summary lines: connector, Outlook, profiles, caches. */
function machineLines(f: CheckReport["facts"]): string[] {
  const install = f.install.folders.length > 0 ? f.install.folders.join(", ") : "not found";
  const version = f.install.uninstallEntries[0]?.displayVersion;
  const office = f.office.found
    ? [f.office.product, f.office.version, f.office.bitness, f.office.channel].filter(Boolean).join(" · ")
    : "not found";
  const profiles =
    f.profiles.length === 0
      ? "none"
      : f.profiles
          .map(
            (p) =>
              `${printable(p.user)}/${printable(p.name)}${p.hasKoff ? " [KOFF]" : ""}${p.isDefault ? " (default)" : ""}`,
          )
          .join(", ");
  const caches =
    f.caches.length === 0
      ? "none"
      : f.caches.map((x) => `${printable(x.user)}/${printable(x.profile)} ${x.bytes} bytes`).join(", ");
  return [
    `  connector   ${printable(install)}${version ? ` (${printable(version)})` : ""}`,
    `  outlook     ${printable(office)}`,
    `  profiles    ${profiles}`,
    `  caches      ${caches}`,
  ];
}

/** One group of findings: title (with a count), what was seen, next step, doc page. */
function groupLines(group: ReportedFinding[], c: CliIo["colors"]): string[] {
  const first = group[0]!;
  const count = group.length > 1 ? c.dim(` (${group.length}×)`) : "";
  const lines = [`  ${c.bold(first.id)}  ${first.title}${count}`];
  for (const f of group)
    lines.push(group.length > 1 ? `    - ${printable(f.message)}` : `    ${printable(f.message)}`);
  lines.push(`    ${c.dim("next:")} ${first.next.command}`);
  if (first.next.where) lines.push(`          ${c.dim(`(${first.next.where})`)}`);
  if (first.next.command !== first.explain.command)
    lines.push(`    ${c.dim("more:")} ${first.explain.command}`);
  return lines;
}

/**
 * The text report of `report`.
 * @param shell - the shell the printed commands are quoted for (the host's).
 */
export function renderCheckText(report: CheckReport, c: CliIo["colors"], shell: ShellStyle): string {
  const f = report.facts;
  const lines: string[] = [c.bold(`koff-doctor check (${f.source})`), "", ...machineLines(f), ""];
  const findings = reportedFindings(report, shell);
  if (findings.length === 0) lines.push(c.green("No problems found."), "");
  for (const sev of ORDER) {
    const groups = groupFindings(findings.filter((x) => x.severity === sev));
    if (groups.length === 0) continue;
    lines.push(heading(sev, c));
    for (const g of groups) lines.push(...groupLines(g, c));
    lines.push("");
  }
  lines.push(...timelineLines(report, c));
  const hidden = notVisibleLine(f.mode, f.unknown, report.notRun);
  // The unknown facts' keys and reasons name hives and users of the source (`hive:HKU\<name>`).
  if (hidden) lines.push(c.dim(printable(hidden)));
  else if (lines.at(-1) === "") lines.pop();
  return `${lines.join("\n")}\n`;
}

/** The last relevant event-log records, oldest first; nothing when no event log was read. */
function timelineLines(report: CheckReport, c: CliIo["colors"]): string[] {
  if (report.facts.events === undefined) return [];
  const entries = eventTimeline(report.facts);
  if (entries.length === 0) return [c.bold("Timeline"), "  no relevant event-log records", ""];
  return [
    c.bold(`Timeline (last ${entries.length} relevant events, oldest first)`),
    ...entries.map(
      (e) => `  ${e.time.replace(/\.\d+Z$/, "Z")}  ${printable(e.provider)} ${e.id}  ${printable(e.summary)}`,
    ),
    "",
  ];
}
