/**
 * Step 2: export the Outlook profile key to a .reg file, then remove it (and a DefaultProfile that
 * names it); guidance follows for creating the new profile. A registry-level delete avoids loading
 * a broken provider DLL (`reg delete`,
 * https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/reg-delete); the
 * export makes it reversible. Image mode edits the user's NTUSER.DAT; live mode uses `reg export` /
 * `reg delete`.
 */
import path from "node:path";
import type { DefaultProfileFact, ProfileFact } from "../../check/facts.js";
import { READ_LIMITS } from "../../limits.js";
import { exportHiveAsReg, openHive } from "../../registry/index.js";
import { InputFileError } from "../../util/input-file-error.js";
import { readUserFile } from "../../util/safe-file.js";
import { refusedInput } from "../durable-fs.js";
import { RunbookError } from "../errors.js";
import type { Operation, StepContext, StepDefinition, StepPlan } from "../model.js";
import { hiveEdit, hiveOfKey, pickProfile, regString } from "../plan-helpers.js";

/** What to do after the profile key is removed. */
const guidance = (ctx: StepContext) => [
  "Open Control Panel → Mail (Microsoft Outlook) → Show Profiles → Add…, name the profile, and choose Manual setup → Kerio Outlook Connector (Offline Edition).",
  'Enter the Kerio Connect server, user name and password; make the new profile the default ("Always use this profile").',
  `If the new profile has another name, the old cache folder becomes an orphan: ${ctx.command(["repair", "--step", "remove-leftovers"])}.`,
];

const exportName = (p: ProfileFact) => `profile-${p.user}-${p.name}.reg`.replace(/[^\w.-]+/g, "_");

function defaultNaming(ctx: StepContext, profile: ProfileFact): DefaultProfileFact | undefined {
  return ctx.facts.defaultProfiles.find(
    (d) =>
      d.user === profile.user &&
      d.layout === profile.layout &&
      d.name.toLowerCase() === profile.name.toLowerCase(),
  );
}

/** Image: one edit of the user's hive, after a `.reg` export of the key made by our own exporter. */
async function planImage(ctx: StepContext, profile: ProfileFact): Promise<StepPlan> {
  const { windowsPath, rest } = hiveOfKey(profile.key);
  const hiveHost = await ctx.hostPath(windowsPath);
  if (!hiveHost) throw new RunbookError("refused-precondition", `hive ${windowsPath} not found`);
  const hiveBytes = await readUserFile(hiveHost, { maxBytes: READ_LIMITS.hiveFileBytes }).catch(
    (e: unknown) => {
      throw e instanceof InputFileError ? refusedInput(e) : e;
    },
  );
  const exported = exportHiveAsReg(openHive(hiveBytes), {
    keyPath: rest,
    rootName: "HKEY_CURRENT_USER",
  });
  const isDefault = defaultNaming(ctx, profile);
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
      `The profile's settings are exported first (${exportName(profile)} in the run folder); its KOFF cache is left in place.`,
    ],
    guidance: guidance(ctx),
    exports: [{ name: exportName(profile), content: exported }],
  };
}

/** Live: `reg export` + `reg delete` of the profile key, and of the DefaultProfile value naming it. */
function planLive(ctx: StepContext, profile: ProfileFact): StepPlan {
  const operations: Operation[] = [
    {
      kind: "reg-delete-key",
      what: `remove Outlook profile "${profile.name}"`,
      key: profile.key,
      exportFile: path.join(ctx.runDir, exportName(profile)),
    },
  ];
  const isDefault = defaultNaming(ctx, profile);
  if (isDefault) {
    operations.push({
      kind: "reg-delete-value",
      what: "DefaultProfile names the removed profile",
      key: isDefault.key,
      name: "DefaultProfile",
      type: "REG_SZ",
      data: isDefault.name,
    });
  }
  return {
    operations,
    warnings: ["Close Outlook first. The profile key is exported with reg export before it is removed."],
    guidance: guidance(ctx),
    exports: [],
  };
}

export const recreateProfile: StepDefinition<"recreate-profile"> = {
  id: "recreate-profile",
  title: "Remove and recreate the Outlook profile",
  kind: "acting",
  summary: "export the profile key, remove it, then create the profile again in Control Panel → Mail",
  async plan(ctx) {
    const profile = pickProfile(ctx);
    return ctx.snapshot.mode === "live" ? planLive(ctx, profile) : planImage(ctx, profile);
  },
};
