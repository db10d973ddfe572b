/**
 * Human-readable `check`: findings grouped by severity (critical first), each with what was seen
 * and the next step, then the timeline of relevant event-log records, then what this mode could
 * not see (each reason once).
 */
import type { Finding, Severity } from "../../check/finding.js";
import type { CheckReport } from "../../app/check-machine.js";
import { eventTimeline } from "../../report/index.js";
import type { CliIo } from "../io.js";

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

export function renderCheckText(report: CheckReport, c: CliIo["colors"]): string {
  const f = report.facts;
  const lines: string[] = [c.bold(`koff-doctor check (${f.source})`), ""];
  const install = f.install.folders.length > 0 ? f.install.folders.join(", ") : "not found";
  lines.push(
    `  connector   ${install}${f.install.uninstallEntries[0]?.displayVersion ? ` (${f.install.uninstallEntries[0].displayVersion})` : ""}`,
  );
  lines.push(
    `  outlook     ${f.office.found ? [f.office.product, f.office.version, f.office.bitness, f.office.channel].filter(Boolean).join(" · ") : "not found"}`,
  );
  lines.push(
    `  profiles    ${f.profiles.length === 0 ? "none" : f.profiles.map((p) => `${p.user}/${p.name}${p.hasKoff ? " [KOFF]" : ""}${p.isDefault ? " (default)" : ""}`).join(", ")}`,
  );
  lines.push(
    `  caches      ${f.caches.length === 0 ? "none" : f.caches.map((x) => `${x.user}/${x.profile} ${x.bytes} bytes`).join(", ")}`,
  );
  lines.push("");
  if (report.findings.length === 0) lines.push(c.green("No problems found."));
  for (const sev of ORDER) {
    const group = report.findings.filter((x: Finding) => x.severity === sev);
    if (group.length === 0) continue;
    lines.push(heading(sev, c));
    for (const x of group) {
      lines.push(`  ${c.bold(x.id)}  ${x.title}`);
      lines.push(`    ${x.message}`);
      lines.push(
        `    ${c.dim("next:")} ${x.remedy ? `koff-doctor repair --step ${x.remedy} ` : ""}${c.dim(`(see docs/checks/${x.id}.md)`)}`,
      );
    }
    lines.push("");
  }
  lines.push(...timelineLines(report, c));
  lines.push(...notVisibleLines(report, c));
  return `${lines.join("\n")}\n`;
}

/** The last relevant event-log records, oldest first; nothing when no event log was read. */
function timelineLines(report: CheckReport, c: CliIo["colors"]): string[] {
  if (report.facts.events === undefined) return [];
  const entries = eventTimeline(report.facts);
  if (entries.length === 0) return [c.bold("Timeline"), "  no relevant event-log records", ""];
  return [
    c.bold(`Timeline (last ${entries.length} relevant events, oldest first)`),
    ...entries.map((e) => `  ${e.time.replace(/\.\d+Z$/, "Z")}  ${e.provider} ${e.id}  ${e.summary}`),
    "",
  ];
}

/**
 * What this mode could not see, each reason said once: the checks that did not run for want of
 * the same facts are listed together under that reason.
 */
function notVisibleLines(report: CheckReport, c: CliIo["colors"]): string[] {
  const unknown = Object.entries(report.facts.unknown);
  if (unknown.length === 0 && report.notRun.length === 0) return [];
  const byReason = new Map<string, string[]>();
  for (const n of report.notRun) byReason.set(n.reason, [...(byReason.get(n.reason) ?? []), n.id]);
  const said = new Set(unknown.map(([what, why]) => `${what}: ${why}`));
  const lines = [
    c.dim("Not visible in this mode:"),
    ...unknown.map(([what, why]) => c.dim(`  ${what}: ${why}`)),
  ];
  for (const [reason, ids] of byReason) {
    const checks = `${ids.length === 1 ? "check" : "checks"} ${ids.join(", ")} not run`;
    lines.push(
      c.dim(
        said.has(reason)
          ? `  ${checks} (for want of ${reason.slice(0, reason.indexOf(":"))})`
          : `  ${checks} (${reason})`,
      ),
    );
  }
  return lines;
}
