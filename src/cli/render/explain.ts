/**
 * `--explain`: every Authenticode verification step, in order, with its outcome, per file.
 */
import type { AuthenticodeResult } from "../../authenticode/index.js";
import type { TriageRecord } from "../../triage/index.js";
import type { CliIo } from "../io.js";

export function renderExplain(records: TriageRecord[], c: CliIo["colors"]): string {
  const mark = {
    pass: c.green("pass"),
    fail: c.red("FAIL"),
    skip: c.dim("skip"),
    warn: c.yellow("warn"),
  } as const;
  const lines: string[] = [];
  for (const r of records) {
    const details = r.signature?.details as AuthenticodeResult | undefined;
    if (!details) continue;
    lines.push(
      c.bold(
        `${r.path}: signature ${details.state} (rule: ${details.rule}${details.decidedBy ? `, decided by signature ${details.decidedBy}` : ""})`,
      ),
    );
    details.steps.forEach((s, i) => {
      const where = s.path !== undefined ? c.dim(`[${s.path}] `) : "";
      lines.push(`  ${String(i + 1).padStart(2)}. ${mark[s.outcome]}  ${where}${s.step}: ${s.detail}`);
    });
    lines.push("");
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
