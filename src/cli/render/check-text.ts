/**
 * Human-readable `check`: findings grouped by severity (critical first), each with what was seen
 * and the next step, then a short summary of the facts and of what this mode could not see.
 */
import type { Finding, Severity } from "../../check/finding.js";
import type { CheckReport } from "../../app/check-machine.js";
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
  const unknown = Object.entries(f.unknown);
  if (unknown.length > 0 || report.notRun.length > 0) {
    lines.push(c.dim("Not visible in this mode:"));
    for (const [what, why] of unknown) lines.push(c.dim(`  ${what}: ${why}`));
    for (const n of report.notRun) lines.push(c.dim(`  check ${n.id} not run (${n.reason})`));
  }
  return `${lines.join("\n")}\n`;
}
