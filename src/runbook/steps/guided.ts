/**
 * Guided steps: the tool prints exact instructions and changes nothing.
 */
import type { StepContext, StepDefinition, StepId } from "../model.js";

const guided = <Id extends StepId>(
  id: Id,
  title: string,
  summary: string,
  guidance: (ctx: StepContext) => string[],
): StepDefinition<Id> => ({
  id,
  title,
  kind: "guided",
  summary,
  plan: async (ctx) => ({ operations: [], warnings: [], guidance: guidance(ctx), exports: [] }),
});

export const collectDiagnostics = guided(
  "collect-diagnostics",
  "Collect diagnostics",
  "gather a diagnostics bundle for escalation",
  (ctx) => [
    `Run: ${ctx.command(["collect", "--out", "koff-diagnostics.zip"])}   (add --redact to replace user, host and e-mail names)`,
    "Attach the zip and a screenshot of the KOFF tray icon's status (hover over it) to the support ticket.",
  ],
);

export const systemFileCheck = guided(
  "system-file-check",
  "Check Windows system files",
  "sfc /scannow (Windows-protected files only; it never repairs KOFF or Office)",
  () => [
    "Open Command Prompt as Administrator.",
    "On Windows 8 or later first run: DISM /Online /Cleanup-Image /RestoreHealth",
    "Then run: sfc /scannow   and restart the computer.",
    'Results are in %WinDir%\\Logs\\CBS\\CBS.log (lines tagged [SR]): findstr /c:"[SR]" %windir%\\Logs\\CBS\\CBS.log',
  ],
);

export const reinstallKoff = guided(
  "reinstall-koff",
  "Reinstall the Kerio Outlook Connector",
  "uninstall, then install the connector build that matches Outlook",
  () => [
    'Close Outlook. Uninstall "Kerio Outlook Connector (Offline Edition)" in Settings → Apps.',
    "Download the installer from your own Kerio Connect server (its Integration / Downloads page, or the link in the Kerio Connect Client), never from a DLL download site.",
    "Pick the build that matches Outlook's bitness (File → Office Account → About Outlook shows 32-bit or 64-bit).",
    "Install it with administrator rights so the Kerio Updater Service is installed too, then run koff-doctor check on that machine again.",
  ],
);
