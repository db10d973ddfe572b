/**
 * Step 1 (least invasive): one profile's KOFF cache folder moves to quarantine; an empty folder of
 * the same name takes its place, and KOFF rebuilds the cache from the server at the next start.
 * Source: GFI "Troubleshooting Outlook Profile Not Loading When Using Kerio Outlook Connector"
 * (https://support.kerioconnect.gfi.com/article/123680-troubleshooting-outlook-profile-not-loading-when-using-kerio-outlook-connector-koff);
 * docs/runbook.md ("Steps").
 */
import type { StepDefinition } from "../model.js";
import { RunbookError } from "../errors.js";
import { pickCache, quarantineMove } from "../plan-helpers.js";

export const UNSYNCED_WARNING =
  "Items created or changed while Outlook was offline and not yet synchronized live only in this cache. Let Outlook synchronize first if it can; the cache is kept in quarantine either way.";

export const clearCache: StepDefinition<"clear-cache"> = {
  id: "clear-cache",
  title: "Clear the KOFF cache of a profile",
  kind: "acting",
  touchesCache: true,
  summary: "move one profile's cache folder to quarantine so KOFF rebuilds it from the server",
  async plan(ctx) {
    const cache = pickCache(ctx);
    const move = await quarantineMove(
      ctx,
      cache.path,
      `KOFF cache of profile "${cache.profile}" (${cache.bytes} bytes)`,
    );
    if (!move) throw new RunbookError("refused-precondition", `cache ${cache.path} no longer exists`);
    return {
      operations: [
        move,
        {
          kind: "mkdir",
          what: "empty cache folder for KOFF to rebuild into",
          windowsPath: cache.path,
          path: move.from,
        },
      ],
      warnings: [UNSYNCED_WARNING],
      guidance: [
        `Start Outlook with profile "${cache.profile}": KOFF downloads the mailbox again (this can take a while for large mailboxes).`,
      ],
      exports: [],
    };
  },
};
