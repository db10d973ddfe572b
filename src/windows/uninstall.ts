/**
 * Installed-programs ("Uninstall") entries matching a product, from the 64-bit and 32-bit
 * registry views and the per-user key:
 * - `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\<id>` (native view);
 * - `HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\<id>` (32-bit installers on 64-bit Windows);
 * - `<user>\Software\Microsoft\Windows\CurrentVersion\Uninstall\<id>` (per-user installs).
 *
 * Values read: DisplayName, DisplayVersion, InstallLocation, Publisher, UninstallString (and
 * QuietUninstallString, InstallDate, WindowsInstaller when present). What marks the product is a
 * caller-supplied pattern (KOFF facts live in the knowledge data file, not here).
 *
 * Source: https://learn.microsoft.com/en-us/windows/win32/msi/uninstall-registry-key ; WOW6432Node:
 * https://learn.microsoft.com/en-us/windows/win32/winprog64/accessing-an-alternate-registry-view.
 */
import type { RegistryPort } from "../ports/registry.js";
import { prefetchSubtree } from "./prefetch.js";
import { findValue, stableRegExp, valueAsNumber, valueAsString } from "./registry-read.js";

/** Which view an entry came from. */
export type UninstallView = "64-bit" | "32-bit" | "user";

/** Largest number of Uninstall subkeys read per root. */
export const MAX_UNINSTALL_ENTRIES = 10_000;

/** One matching Uninstall entry. */
export interface UninstallEntry {
  /** Subkey name (a ProductCode GUID for MSI installs). */
  id: string;
  view: UninstallView;
  /** The user, for `view: "user"`. */
  user: string | undefined;
  displayName: string;
  displayVersion: string | undefined;
  installLocation: string | undefined;
  publisher: string | undefined;
  uninstallString: string | undefined;
  quietUninstallString: string | undefined;
  installDate: string | undefined;
  /** `WindowsInstaller`=1: an MSI-managed entry. */
  windowsInstaller: boolean;
  /** The entry's key (evidence). */
  key: string;
}

/** What identifies the product. */
export interface UninstallMatch {
  /** Tested against DisplayName. */
  displayNamePattern: RegExp;
}

/** Result of {@link readUninstallEntries}. */
export interface UninstallEntries {
  entries: UninstallEntry[];
  /** Uninstall roots that existed. */
  evidence: string[];
  source: string;
}

const SUFFIX = "Microsoft\\Windows\\CurrentVersion\\Uninstall";

/** Reads every Uninstall entry whose DisplayName matches. Never throws for missing keys. */
export async function readUninstallEntries(
  port: RegistryPort,
  match: UninstallMatch,
): Promise<UninstallEntries> {
  const pattern = stableRegExp(match.displayNamePattern);
  const roots: Array<{ key: string; view: UninstallView; user: string | undefined }> = [
    { key: `HKLM\\SOFTWARE\\${SUFFIX}`, view: "64-bit", user: undefined },
    { key: `HKLM\\SOFTWARE\\WOW6432Node\\${SUFFIX}`, view: "32-bit", user: undefined },
  ];
  for (const u of await port.users())
    roots.push({ key: `${u.root}\\Software\\${SUFFIX}`, view: "user", user: u.user });
  const result: UninstallEntries = { entries: [], evidence: [], source: port.describe() };
  for (const root of roots) {
    await prefetchSubtree(port, root.key);
    const k = await port.getKey(root.key);
    if (k === undefined) continue;
    result.evidence.push(root.key);
    for (const id of k.subkeys.slice(0, MAX_UNINSTALL_ENTRIES)) {
      const key = `${root.key}\\${id}`;
      const e = await port.getKey(key);
      const displayName = valueAsString(findValue(e, "DisplayName"));
      if (e === undefined || displayName === undefined || !pattern.test(displayName)) continue;
      const s = (name: string): string | undefined => valueAsString(findValue(e, name));
      result.entries.push({
        id,
        view: root.view,
        user: root.user,
        displayName,
        displayVersion: s("DisplayVersion"),
        installLocation: s("InstallLocation"),
        publisher: s("Publisher"),
        uninstallString: s("UninstallString"),
        quietUninstallString: s("QuietUninstallString"),
        installDate: s("InstallDate"),
        windowsInstaller: valueAsNumber(findValue(e, "WindowsInstaller")) === 1,
        key,
      });
    }
  }
  return result;
}
