/**
 * Step 3: clear every KOFF cache on the machine; the server side is guided (the server steps of GFI's
 * KB were never published; docs/runbook.md "Steps").
 */
import type { Operation, StepDefinition } from "../model.js";
import { quarantineMove } from "../plan-helpers.js";
import { RunbookError } from "../errors.js";
import { UNSYNCED_WARNING } from "./clear-cache.js";

export const resetCache: StepDefinition<"reset-cache"> = {
  id: "reset-cache",
  title: "Reset every KOFF cache (client), with server-side guidance",
  kind: "acting",
  touchesCache: true,
  summary: "move every KOFF cache folder to quarantine; then reset the user on the server",
  async plan(ctx) {
    const operations: Operation[] = [];
    for (const cache of ctx.facts.caches) {
      const move = await quarantineMove(
        ctx,
        cache.path,
        `KOFF cache ${cache.user}/${cache.profile} (${cache.bytes} bytes)`,
      );
      if (!move) continue;
      operations.push(move, {
        kind: "mkdir",
        what: "empty cache folder for KOFF to rebuild into",
        windowsPath: cache.path,
        path: move.from,
      });
    }
    if (operations.length === 0) throw new RunbookError("refused-precondition", "no KOFF cache found");
    return {
      operations,
      warnings: [UNSYNCED_WARNING],
      guidance: [
        "Server side (Kerio Connect Administration, https://<server>:4040/admin): open Accounts → Users → the user → More Actions → Rebuild Mailbox (Users.checkMailboxIntegrity in the Administration API, JSON-RPC at /admin/api/jsonrpc/).",
        "Then start Outlook: KOFF downloads the mailbox again.",
      ],
      exports: [],
    };
  },
};
