/**
 * Collector `install`: the connector's Uninstall entries (both registry views and per user), the
 * install folders that exist (knowledge folders plus InstallLocation values), and the `.dll` and
 * `.exe` files in them, each of which is triaged.
 *
 * Source: Microsoft, "Uninstall Registry Key"
 * (https://learn.microsoft.com/windows/win32/msi/uninstall-registry-key).
 */
import { normalizeWindowsPath, windowsPathKey } from "../../paths/windows-path.js";
import { readUninstallEntries } from "../../windows/index.js";
import { defineCollector } from "./collector.js";
import { canonicalPath, MAX_WALK_ENTRIES, walk } from "./walk.js";

/** Executable file extensions inventoried in install folders. */
const BINARY_EXT = /\.(dll|exe)$/i;

export const installCollector = defineCollector({
  name: "install",
  needs: ["registry", "fs"],
  provides: ["install", "triage"],
  timeLimitMs: 300_000,
  async collect(snapshot, { knowledge: k, signal }) {
    const { fs, registry } = snapshot;
    const uninstall = await readUninstallEntries(registry, {
      displayNamePattern: k.uninstallDisplayNamePattern,
    });
    const folderCandidates = [
      ...k.installFolders,
      ...uninstall.entries
        .map((e) => e.installLocation)
        .filter((p): p is string => !!p && /^[a-z]:\\/i.test(p)),
    ];
    const folders: string[] = [];
    for (const f of folderCandidates) {
      const norm = normalizeWindowsPath(f);
      if (folders.some((x) => windowsPathKey(x) === windowsPathKey(norm))) continue;
      if ((await fs.stat(norm))?.kind === "dir") folders.push((await canonicalPath(snapshot, norm)) ?? norm);
    }
    const binaryPaths: string[] = [];
    for (const folder of folders) {
      await walk(fs, folder, 2, { left: MAX_WALK_ENTRIES, signal }, (p) => {
        if (BINARY_EXT.test(p)) binaryPaths.push(p);
      });
    }
    const uninstallEntries = uninstall.entries.map((e) => ({
      key: e.key,
      displayName: e.displayName,
      displayVersion: e.displayVersion,
      installLocation: e.installLocation,
      view: e.view,
    }));
    return { facts: { install: { uninstallEntries, folders }, binaryPaths }, triage: binaryPaths };
  },
});
