/**
 * Step 4: add the Microsoft Defender exclusions GFI recommends that are missing (GFI "Antivirus
 * Exclusions for Kerio Connect",
 * https://support.kerioconnect.gfi.com/hc/en-us/articles/360015201699-Antivirus-Exclusions-for-Kerio-Connect).
 * Image mode writes them to the image's SOFTWARE hive (`Windows Defender\Exclusions\Paths`, value =
 * path, REG_DWORD 0); live mode runs `Add-MpPreference -ExclusionPath` (the local key is
 * tamper-protected against direct writes;
 * https://learn.microsoft.com/en-us/powershell/module/defender/add-mppreference). Ladder:
 * docs/runbook.md.
 */
import { missingExclusions } from "../../check/koff-exclusions.js";
import { RunbookError } from "../errors.js";
import type { Operation, StepDefinition } from "../model.js";
import { hiveEdit, regString } from "../plan-helpers.js";

const KEY = "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths";

export const avExclusions: StepDefinition<"av-exclusions"> = {
  id: "av-exclusions",
  title: "Add the recommended antivirus exclusions",
  kind: "acting",
  summary: "add GFI's three recommended folders to the Microsoft Defender exclusions",
  async plan(ctx) {
    const missing = missingExclusions(ctx.facts, ctx.knowledge);
    if (missing.length === 0)
      throw new RunbookError("refused-precondition", "every recommended exclusion is already present");
    if (ctx.snapshot.mode === "live") {
      return {
        operations: missing.map((p): Operation => ({
          kind: "defender-exclusion",
          what: "GFI-recommended exclusion",
          path: p,
        })),
        warnings: [
          "Defender policy (Group Policy/Intune) can override local exclusions; add them there if the machine is managed.",
        ],
        guidance: [],
        exports: [],
      };
    }
    const op = await hiveEdit(ctx, KEY, `add ${missing.length} Defender exclusion(s)`, (prefix, rest) =>
      [`[${prefix}\\${rest}]`, ...missing.map((p) => `${regString(p)}=dword:00000000`), ""].join("\r\n"),
    );
    return {
      operations: [op],
      warnings: [
        "Defender policy (Group Policy/Intune) can override local exclusions; add them there if the machine is managed.",
      ],
      guidance: [`Added to the image's registry: ${missing.join("; ")}.`],
      preview: [`Would add to the image's registry: ${missing.join("; ")}.`],
      exports: [],
    };
  },
};
