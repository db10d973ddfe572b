/**
 * Office product, version, bitness and update channel — what "File > Office Account" shows —
 * read from the registry (docs/windows-state.md, "Office"; update channels:
 * https://learn.microsoft.com/en-us/microsoft-365-apps/updates/change-update-channels).
 *
 * - Click-to-Run: `HKLM\SOFTWARE\Microsoft\Office\ClickToRun\Configuration` values `Platform`
 *   (x86/x64), `VersionToReport` / `ClientVersionToReport`, `ProductReleaseIds`, and the channel
 *   inputs `UpdateUrl`, `UpdatePath`, `UnmanagedUpdateURL`, `UpdateChannel`, `CDNBaseUrl`.
 * - Channel precedence [C] (first hit wins): cloud policy `UpdatePath` then `UpdateBranch`
 *   (`HKLM\SOFTWARE\Policies\Microsoft\cloud\office\16.0\Common\officeupdate`); policy
 *   `UpdatePath` then `UpdateBranch` (`HKLM\SOFTWARE\Policies\Microsoft\office\16.0\Common\officeupdate`);
 *   then ODT `UpdateUrl`/`UpdatePath`, then `UnmanagedUpdateURL`, then `CDNBaseUrl`. Where the
 *   Configuration value `UpdateChannel` fits is not documented; it is tried just before
 *   `CDNBaseUrl` [I]. A URL's CDN GUID maps to a channel name [C]; a file-share path gives no name.
 * - Bitness [C]: REG_SZ `Bitness` under `HKLM\SOFTWARE\Microsoft\Office\<14.0|15.0|16.0>\Outlook`,
 *   its WOW6432Node twin, and (C2R) inside the bubble
 *   `HKLM\SOFTWARE\Microsoft\Office[\<ver>]\ClickToRun\REGISTRY\MACHINE\Software\Microsoft\Office\<ver>\Outlook` [I];
 *   C2R `Platform` wins when present. Disagreeing sources are reported, not hidden.
 * - MSI [I]: an `Outlook` key with `Bitness` or `InstallRoot\Path` outside the C2R bubble and no
 *   C2R configuration means an MSI install; its version is only the major (`16.0`).
 */
import type { RegistryPort } from "../ports/registry.js";
import { findValue, valueAsString } from "./registry-read.js";

/** Channel names keyed by the CDN GUID at the end of `CDNBaseUrl` / `UpdateUrl` [C]. */
export const CDN_CHANNELS: Readonly<Record<string, string>> = {
  "492350f6-3a01-4f97-b9c0-c7c6ddf67d60": "Current Channel",
  "64256afe-f5d9-4f86-8936-8840a6a4f5be": "Current Channel (Preview)",
  "55336b82-a18d-4dd6-b5f6-9e5095c314a6": "Monthly Enterprise Channel",
  "7ffbc6bf-bc32-4f92-8982-f9dd17fd3114": "Semi-Annual Enterprise Channel",
  "b8f9b850-328d-4355-9145-c59439a0c4cf": "Semi-Annual Enterprise Channel (Preview)",
  "5440fd1f-7ecb-4221-8110-145efaa6372f": "Beta Channel",
};

/**
 * Channel names keyed by lowercase `UpdateBranch` policy value. [I] These are the ODT/policy
 * spellings (old and new); the fact sheet lists only the GUIDs.
 */
export const BRANCH_CHANNELS: Readonly<Record<string, string>> = {
  current: "Current Channel",
  firstreleasecurrent: "Current Channel (Preview)",
  currentpreview: "Current Channel (Preview)",
  monthlyenterprise: "Monthly Enterprise Channel",
  deferred: "Semi-Annual Enterprise Channel",
  semiannual: "Semi-Annual Enterprise Channel",
  firstreleasedeferred: "Semi-Annual Enterprise Channel (Preview)",
  semiannualpreview: "Semi-Annual Enterprise Channel (Preview)",
  insiderfast: "Beta Channel",
  betachannel: "Beta Channel",
};

/** One registry value that contributed to a result. */
export interface OfficeEvidence {
  key: string;
  value: string;
  data: string;
}

/** The effective update channel. */
export interface OfficeChannel {
  /** Channel name, or `undefined` when the winning input names none (a file share, an unknown GUID). */
  name: string | undefined;
  /** The input that won the precedence. */
  source: OfficeEvidence;
  /** Every channel input present, in precedence order (the winner first). */
  candidates: OfficeEvidence[];
}

/** What {@link readOfficeInstall} found. */
export interface OfficeInstall {
  installType: "click-to-run" | "msi" | "none";
  /** `ProductReleaseIds` split on commas (C2R only). */
  products: string[];
  /** `VersionToReport`, else `ClientVersionToReport` (C2R); for MSI the major version (`16.0`). */
  version: string | undefined;
  /** Effective Office/Outlook bitness. */
  bitness: "x86" | "x64" | undefined;
  /** Every bitness source found. */
  bitnessSources: OfficeEvidence[];
  /** True when bitness sources disagree. */
  bitnessConflict: boolean;
  channel: OfficeChannel | undefined;
  /** Office major versions with an Outlook key outside the bubble (MSI evidence or C2R leftovers). */
  outlookVersions: string[];
  /** Keys that existed and were read. */
  evidence: string[];
  source: string;
}

const C2R_CONFIG = "HKLM\\SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration";
const CLOUD_POLICY = "HKLM\\SOFTWARE\\Policies\\Microsoft\\cloud\\office\\16.0\\Common\\officeupdate";
const POLICY = "HKLM\\SOFTWARE\\Policies\\Microsoft\\office\\16.0\\Common\\officeupdate";
const VERSIONS = ["16.0", "15.0", "14.0"] as const;

/** Normalises `x64`/`x86` spellings (`X64`, `amd64`, `win32`…); anything else → `undefined`. */
export function normaliseBitness(text: string | undefined): "x86" | "x64" | undefined {
  const t = text?.trim().toLowerCase();
  if (t === "x64" || t === "amd64" || t === "64") return "x64";
  if (t === "x86" || t === "win32" || t === "32") return "x86";
  return undefined;
}

/** The channel a URL or branch names: CDN GUID lookup, else `undefined`. */
export function channelFromUrl(url: string): string | undefined {
  const m = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?\s*$/i.exec(url);
  return m === null ? undefined : CDN_CHANNELS[m[1]!.toLowerCase()];
}

/** Reads Office install facts from `port`. Never throws for missing keys. */
export async function readOfficeInstall(port: RegistryPort): Promise<OfficeInstall> {
  const evidence: string[] = [];
  const get = async (path: string) => {
    const k = await port.getKey(path);
    if (k !== undefined) evidence.push(path);
    return k;
  };
  const str = (k: Awaited<ReturnType<typeof get>>, key: string, name: string): OfficeEvidence | undefined => {
    const data = valueAsString(findValue(k, name));
    return data === undefined || data.trim() === "" ? undefined : { key, value: name, data: data.trim() };
  };

  const config = await get(C2R_CONFIG);
  const cloud = await get(CLOUD_POLICY);
  const policy = await get(POLICY);

  const bitnessSources: OfficeEvidence[] = [];
  const platform = str(config, C2R_CONFIG, "Platform");
  if (platform) bitnessSources.push(platform);
  const outlookVersions: string[] = [];
  let msiEvidence = false;
  for (const ver of VERSIONS) {
    for (const base of [
      "HKLM\\SOFTWARE\\Microsoft\\Office",
      "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Office",
    ]) {
      const key = `${base}\\${ver}\\Outlook`;
      const k = await get(key);
      if (k === undefined) continue;
      if (!outlookVersions.includes(ver)) outlookVersions.push(ver);
      const b = str(k, key, "Bitness");
      if (b) bitnessSources.push(b);
      const root = await get(`${key}\\InstallRoot`);
      if (b !== undefined || str(root, `${key}\\InstallRoot`, "Path") !== undefined) msiEvidence = true;
    }
    for (const bubble of [
      "HKLM\\SOFTWARE\\Microsoft\\Office\\ClickToRun",
      `HKLM\\SOFTWARE\\Microsoft\\Office\\${ver}\\ClickToRun`,
    ]) {
      const key = `${bubble}\\REGISTRY\\MACHINE\\Software\\Microsoft\\Office\\${ver}\\Outlook`;
      const b = str(await get(key), key, "Bitness");
      if (b) bitnessSources.push(b);
    }
  }
  const bitnesses = new Set(bitnessSources.map((s) => normaliseBitness(s.data) ?? s.data.toLowerCase()));
  const effective = normaliseBitness(platform?.data) ?? normaliseBitness(bitnessSources[0]?.data);

  const candidates = [
    str(cloud, CLOUD_POLICY, "UpdatePath"),
    str(cloud, CLOUD_POLICY, "UpdateBranch"),
    str(policy, POLICY, "UpdatePath"),
    str(policy, POLICY, "UpdateBranch"),
    str(config, C2R_CONFIG, "UpdateUrl"),
    str(config, C2R_CONFIG, "UpdatePath"),
    str(config, C2R_CONFIG, "UnmanagedUpdateURL"),
    str(config, C2R_CONFIG, "UpdateChannel"),
    str(config, C2R_CONFIG, "CDNBaseUrl"),
  ].filter((x): x is OfficeEvidence => x !== undefined);
  const winner = candidates[0];
  const channel: OfficeChannel | undefined =
    winner === undefined
      ? undefined
      : {
          name:
            winner.value === "UpdateBranch"
              ? BRANCH_CHANNELS[winner.data.toLowerCase()]
              : channelFromUrl(winner.data),
          source: winner,
          candidates,
        };

  const products = (str(config, C2R_CONFIG, "ProductReleaseIds")?.data ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
  const c2rVersion =
    str(config, C2R_CONFIG, "VersionToReport") ?? str(config, C2R_CONFIG, "ClientVersionToReport");
  const installType = config !== undefined ? "click-to-run" : msiEvidence ? "msi" : "none";
  return {
    installType,
    products,
    version: c2rVersion?.data ?? (installType === "msi" ? outlookVersions[0] : undefined),
    bitness: effective,
    bitnessSources,
    bitnessConflict: bitnesses.size > 1,
    channel,
    outlookVersions,
    evidence,
    source: port.describe(),
  };
}
