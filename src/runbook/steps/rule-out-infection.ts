/**
 * Step 0 of the repair ladder (docs/runbook.md "Steps"): triage every connector binary and every
 * stray provider DLL. A malicious connector binary stops the ladder (it cannot be fixed in place:
 * reinstall from a trusted source). Malicious stray copies are moved to quarantine, out of their
 * load position, with hashes kept as evidence. Verdicts: docs/verdict.md.
 */
import { isUnderWindowsPath } from "../../paths/windows-path.js";
import { RunbookError } from "../errors.js";
import type { Operation, StepDefinition } from "../model.js";
import { quarantineMove } from "../plan-helpers.js";

const SCAN =
  "Run a full scan with an up-to-date antivirus before using Outlook again, and find out how the DLL got there.";

export const ruleOutInfection: StepDefinition<"rule-out-infection"> = {
  id: "rule-out-infection",
  title: "Rule out infection",
  kind: "acting",
  summary:
    "triage every connector binary and stray kofmsp*.dll; quarantine planted copies; stop on a malicious connector binary",
  async plan(ctx) {
    const { facts } = ctx;
    const inInstall = (p?: string) => !!p && facts.install.folders.some((f) => isUnderWindowsPath(p, f));
    const evidence = facts.triage.map((t) => ({ path: t.windowsPath, verdict: t.verdict, sha256: t.sha256 }));
    const badBinaries = facts.triage.filter((t) => t.verdict === "malicious" && inInstall(t.windowsPath));
    if (badBinaries.length > 0) {
      throw new RunbookError(
        "refused-malicious",
        `connector binary triages malicious: ${badBinaries.map((t) => t.windowsPath).join(", ")}; stop and reinstall the connector from a trusted source after a full antivirus scan`,
        {
          evidence: badBinaries.map((t) => ({
            path: t.windowsPath,
            sha256: t.sha256,
            indicators: t.indicators.filter((i) => i.level === "malicious"),
          })),
        },
      );
    }
    const operations: Operation[] = [];
    for (const t of facts.triage.filter((x) => x.verdict === "malicious" && !inInstall(x.windowsPath))) {
      const op = await quarantineMove(
        ctx,
        t.windowsPath!,
        `planted provider DLL (triage: malicious, sha256 ${t.sha256})`,
      );
      if (op) operations.push(op);
    }
    return {
      operations,
      warnings: [],
      guidance:
        operations.length > 0
          ? [
              `Planted DLLs were moved to quarantine, not deleted; their sha256 hashes are in the run's manifest (${ctx.command(["repair", "--status"])}).`,
              SCAN,
            ]
          : [
              `No malicious connector binary or stray provider DLL among ${facts.triage.length} file(s) triaged.`,
            ],
      ...(operations.length > 0
        ? {
            preview: [
              "Planted DLLs would be moved to quarantine, not deleted, their sha256 hashes kept in the run's manifest.",
              SCAN,
            ],
          }
        : {}),
      exports: [],
      evidence,
    };
  },
};
