/**
 * Collector `caches`: per user, the connector's cache root (`%LOCALAPPDATA%\Kerio\Outlook
 * Connector`), whether Local AppData is redirected to a share (the caches there are then
 * unknown, not absent), and each profile's cache folder: file count, bytes, and the header page
 * of each Firebird database.
 *
 * Source: Microsoft, "Known folders" (User Shell Folders)
 * (https://learn.microsoft.com/windows/win32/shell/knownfolderid); Firebird ODS header page
 * (https://firebirdsql.org/file/documentation/html/en/firebirddocs/firebirdinternals/firebird-internals.html).
 */
import { readFirebirdHeader } from "../../firebird/header-page.js";
import { expandWindowsPath, joinWindowsPath } from "../../paths/windows-path.js";
import type { FileSystemPort } from "../../ports/file-system.js";
import { findValue, valueAsString } from "../../windows/index.js";
import type { CacheFact, MachineFacts } from "../facts.js";
import { defineCollector } from "./collector.js";
import { MAX_WALK_ENTRIES, walk } from "./walk.js";

/** Bytes of a cache database read to judge its header page. */
const FDB_HEAD_BYTES = 4096;

/** One profile's cache folder: its files, bytes and databases. */
async function cacheFolder(
  fs: FileSystemPort,
  user: string,
  profile: string,
  path: string,
  databaseExtension: string,
  signal: AbortSignal,
): Promise<CacheFact> {
  const cache: CacheFact = { user, profile, path, files: 0, bytes: 0, databases: [] };
  const fdbs: Array<{ path: string; name: string; size: number }> = [];
  await walk(fs, path, 3, { left: MAX_WALK_ENTRIES, signal }, (p, e) => {
    cache.files++;
    cache.bytes += e.size;
    if (e.name.toLowerCase().endsWith(databaseExtension))
      fdbs.push({ path: p, name: p.slice(path.length + 1), size: e.size });
  });
  for (const db of fdbs) {
    const head = await fs.readHead(db.path, FDB_HEAD_BYTES);
    const h = head ? readFirebirdHeader(head, db.size) : undefined;
    cache.databases.push({
      name: db.name,
      size: db.size,
      valid: h?.valid ?? false,
      problems: h ? h.problems : ["unreadable"],
      odsMajor: h?.odsMajor,
      pageSize: h?.pageSize,
    });
  }
  return cache;
}

export const cachesCollector = defineCollector({
  name: "caches",
  needs: ["registry", "fs"],
  provides: ["caches", "cacheRoots"],
  reads: ["users"],
  timeLimitMs: 300_000,
  async collect(snapshot, { knowledge: k, collected, signal }) {
    const { fs, registry } = snapshot;
    const caches: CacheFact[] = [];
    const cacheRoots: MachineFacts["cacheRoots"] = [];
    const unknown: Record<string, string> = {};
    for (const user of collected.users ?? []) {
      const shellFolders = await registry.getKey(
        `HKU\\${user}\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell Folders`,
      );
      const localAppData = shellFolders && valueAsString(findValue(shellFolders, "Local AppData"));
      const onNetwork = localAppData?.startsWith("\\\\") ?? false;
      const root = expandWindowsPath(k.cacheRoot, user);
      const rootStat = await fs.stat(root);
      if (rootStat?.kind !== "dir" && !onNetwork) continue;
      cacheRoots.push({
        user,
        path: onNetwork ? `${localAppData}\\Kerio\\Outlook Connector` : root,
        onNetwork,
      });
      if (onNetwork) {
        // The caches live on the share, which this snapshot cannot read: unknown, not absent.
        unknown[`caches:${user}`] =
          `Local AppData is redirected to ${localAppData}; the caches there are not visible`;
        continue;
      }
      for (const entry of (await fs.list(root)) ?? []) {
        if (entry.kind !== "dir") continue;
        const path = joinWindowsPath(root, entry.name);
        caches.push(await cacheFolder(fs, user, entry.name, path, k.databaseExtension, signal));
      }
    }
    return { facts: { caches, cacheRoots }, unknown };
  },
});
