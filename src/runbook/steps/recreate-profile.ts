/**
 * Step 2: export the Outlook profile key to a .reg file, then remove it (and a DefaultProfile
 * that names it); guidance follows for creating the new profile. A registry-level delete avoids
 * loading a broken provider DLL (windows-mapi-facts.md §2.4); the export makes it reversible.
 */
import { exportHiveAsReg, openHive } from "../../registry/index.js";
import { readFile } from "node:fs/promises";
import { RunbookError } from "../errors.js";
import type { StepDefinition } from "../model.js";
import { hiveEdit, hiveOfKey, pickProfile, regString } from "../plan-helpers.js";

export const recreateProfile: StepDefinition = {
  id: "recreate-profile",
  title: "Remove and recreate the Outlook profile",
  kind: "acting",
  summary: "export the profile key, remove it, then create the profile again in Control Panel → Mail",
  async plan(ctx) {
    const profile = pickProfile(ctx);
    const { windowsPath, rest } = hiveOfKey(profile.key);
    const hiveHost = await ctx.hostPath(windowsPath);
    if (!hiveHost) throw new RunbookError("refused-precondition", `hive ${windowsPath} not found`);
    const exported = exportHiveAsReg(openHive(await readFile(hiveHost)), {
      keyPath: rest,
      rootName: "HKEY_CURRENT_USER",
    });
    const isDefault = ctx.facts.defaultProfiles.find(
      (d) =>
        d.user === profile.user &&
        d.layout === profile.layout &&
        d.name.toLowerCase() === profile.name.toLowerCase(),
    );
    const op = await hiveEdit(
      ctx,
      profile.key,
      `remove Outlook profile "${profile.name}" of ${profile.user}`,
      (prefix, keyRest) => {
        const lines = [`[-${prefix}\\${keyRest}]`, ""];
        if (isDefault)
          lines.push(`[${prefix}\\${hiveOfKey(isDefault.key).rest}]`, `${regString("DefaultProfile")}=-`, "");
        return lines.join("\r\n");
      },
    );
    return {
      operations: [op],
      warnings: [
        `The profile's settings are exported first (profile-${profile.user}-${profile.name}.reg in the run folder); its KOFF cache is left in place.`,
      ],
      guidance: [
        "Open Control Panel → Mail (Microsoft Outlook) → Show Profiles → Add…, name the profile, and choose Manual setup → Kerio Outlook Connector (Offline Edition).",
        'Enter the Kerio Connect server, user name and password; make the new profile the default ("Always use this profile").',
        "If the new profile has another name, the old cache folder becomes an orphan: koff-doctor repair --step remove-leftovers.",
      ],
      exports: [
        { name: `profile-${profile.user}-${profile.name}.reg`.replace(/[^\w.-]+/g, "_"), content: exported },
      ],
    };
  },
};
