/**
 * Human-readable triage: one block per file, verdict first, then each indicator with its level,
 * evidence and the indicator-table cell that fired (docs/verdict.md). Colour only when the CliIo says so.
 */
import type { Level, TriageRecord, Verdict } from "../../triage/index.js";
import type { CliIo } from "../io.js";

type Colors = CliIo["colors"];

function verdictLabel(v: Verdict, c: Colors): string {
  const text = v.toUpperCase();
  switch (v) {
    case "clean":
      return c.green(c.bold(text));
    case "suspicious":
      return c.yellow(c.bold(text));
    case "malicious":
      return c.red(c.bold(text));
    case "error":
      return c.magenta(c.bold(text));
  }
}

function levelMark(l: Level, c: Colors): string {
  switch (l) {
    case "ok":
      return c.green("ok        ");
    case "suspicious":
      return c.yellow("suspicious");
    case "malicious":
      return c.red("malicious ");
    case "unknown":
      return c.dim("unknown   ");
  }
}

export function renderTriageText(
  records: TriageRecord[],
  c: Colors,
  opts: { verbose?: boolean } = {},
): string {
  const lines: string[] = [];
  for (const r of records) {
    lines.push(`${verdictLabel(r.verdict, c)}  ${c.bold(r.path)}`);
    if (r.windowsPath && r.windowsPath !== r.path) lines.push(`  ${c.dim("as")}      ${r.windowsPath}`);
    if (r.sha256) lines.push(`  ${c.dim("sha256")}  ${r.sha256}  ${c.dim(`${r.size} bytes`)}`);
    if (r.carried) lines.push(`  ${c.yellow("carried")} ${r.carried.note} (${r.carried.from})`);
    if (r.error) {
      const where = r.error.offset !== undefined ? ` at offset 0x${r.error.offset.toString(16)}` : "";
      const what = r.error.structure ? ` (${r.error.structure})` : "";
      lines.push(`  ${c.magenta(r.error.code)}: ${r.error.message}${where}${what}`);
    }
    if (r.pe) {
      const v = r.pe.versionInfo?.strings ?? {};
      const id = [v["CompanyName"], v["ProductName"], r.pe.versionInfo?.fileVersion]
        .filter(Boolean)
        .join(" · ");
      lines.push(`  ${c.dim("image")}   ${r.pe.machine} ${r.pe.isDll ? "DLL" : "EXE"}${id ? `  ${id}` : ""}`);
    }
    for (const i of r.indicators) {
      if (!opts.verbose && i.level === "ok") continue;
      lines.push(`  ${levelMark(i.level, c)}  ${i.id.padEnd(19)} ${i.evidence}`);
      if (i.cell) lines.push(`  ${" ".repeat(10)}  ${" ".repeat(19)} ${c.dim(`↳ ${i.cell}`)}`);
    }
    const hidden = r.indicators.filter((i) => i.level === "ok").length;
    if (!opts.verbose && hidden > 0) lines.push(c.dim(`  (${hidden} indicators ok; --verbose shows them)`));
    lines.push("");
  }
  const count = (v: Verdict) => records.filter((r) => r.verdict === v).length;
  lines.push(
    `${records.length} file(s): ${count("clean")} clean, ${count("suspicious")} suspicious, ${count("malicious")} malicious, ${count("error")} unreadable`,
  );
  const carried = records.filter((r) => r.carried).length;
  if (carried > 0)
    lines.push(`${carried} verdict(s) carried in the bundle, not computed here (marked "carried")`);
  return `${lines.join("\n")}\n`;
}
