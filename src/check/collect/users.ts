/**
 * Collector `users`: the machine's user names, from the registry's loaded user hives and the
 * folders of `C:\Users` (profile folders that are not users left out), sorted.
 *
 * Source: Microsoft, "User profiles" (https://learn.microsoft.com/windows/win32/shell/about-user-profiles).
 */
import { defineCollector } from "./collector.js";

/** Profile folders that are not users. */
const NON_USER_FOLDERS = new Set(["public", "default", "default user", "all users", "defaultapppool"]);

export const usersCollector = defineCollector({
  name: "users",
  needs: ["registry", "fs"],
  provides: ["users"],
  timeLimitMs: 300_000,
  async collect(snapshot) {
    const names = new Map<string, string>();
    for (const u of await snapshot.registry.users()) names.set(u.user.toLowerCase(), u.user);
    for (const e of (await snapshot.fs.list("C:\\Users")) ?? []) {
      if (e.kind === "dir" && !NON_USER_FOLDERS.has(e.name.toLowerCase()))
        names.set(e.name.toLowerCase(), names.get(e.name.toLowerCase()) ?? e.name);
    }
    return { facts: { users: [...names.values()].sort() } };
  },
});
