/**
 * Leftovers: cache folders that belong to no Outlook profile move to quarantine (GFI
 * "Troubleshooting Outlook Profile Not Loading", "Delete Leftover Folders"; here nothing is
 * deleted). Source:
 * https://support.kerioconnect.gfi.com/article/123680-troubleshooting-outlook-profile-not-loading-when-using-kerio-outlook-connector-koff;
 * docs/runbook.md ("Steps").
 */
import type { Operation, StepDefinition } from "../model.js";
import { quarantineMove } from "../plan-helpers.js";
import { RunbookError } from "../errors.js";

export const removeLeftovers: StepDefinition<"remove-leftovers"> = {
  id: "remove-leftovers",
  title: "Move leftover KOFF folders to quarantine",
  kind: "acting",
  touchesCache: true,
  summary: "move cache folders that belong to no Outlook profile to quarantine",
  async plan(ctx) {
    const { facts } = ctx;
    // A cache is a leftover only when its user's profiles are all known: not for a damaged hive
    // (the profile may be there but unreadable), as the cache-orphan check decides too.
    const orphans = facts.caches.filter(
      (c) =>
        !facts.damagedUserHives.includes(c.user) &&
        !facts.profiles.some((p) => p.user === c.user && p.name.toLowerCase() === c.profile.toLowerCase()),
    );
    const operations: Operation[] = [];
    for (const c of orphans) {
      const op = await quarantineMove(
        ctx,
        c.path,
        `leftover cache "${c.profile}" of ${c.user} (no such profile)`,
      );
      if (op) operations.push(op);
    }
    if (operations.length === 0)
      throw new RunbookError("refused-precondition", "no leftover KOFF folder found");
    return {
      operations,
      warnings: [
        "Leftover caches may hold items of a deleted profile that were never synchronized; they stay in quarantine.",
      ],
      guidance: [],
      exports: [],
    };
  },
};
