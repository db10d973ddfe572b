/**
 * Microsoft Defender Antivirus exclusions as stored in the registry
 * (docs/windows-state.md, "Defender exclusions"; Add-MpPreference,
 * https://learn.microsoft.com/en-us/powershell/module/defender/add-mppreference).
 *
 * - Local (preference) storage [C]: `HKLM\SOFTWARE\Microsoft\Windows Defender\Exclusions\{Paths,Extensions,Processes}`;
 *   each exclusion is a value whose NAME is the path/extension/process (data REG_DWORD 0).
 * - Group Policy storage [C]: `HKLM\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions\{Paths,…}`
 *   (value name = exclusion, data usually REG_SZ "0").
 * - `HideExclusionsFromLocalAdmins`=1 under `HKLM\SOFTWARE\Policies\Microsoft\Windows Defender`
 *   hides them from Get-MpPreference but not from the registry; we report the flag.
 *
 * Offline reads of the SOFTWARE hive see every exclusion; a live non-admin read of the local key
 * may be denied (the live adapter then reports the key as absent).
 */
import type { RegistryPort } from "../ports/registry.js";
import { findValue, valueAsNumber } from "./registry-read.js";

/** Where an exclusion came from. */
export type DefenderExclusionSource = "local" | "policy";
/** What kind of exclusion it is (the subkey it lives in). */
export type DefenderExclusionKind = "path" | "extension" | "process";

/** One exclusion. */
export interface DefenderExclusion {
  /** The excluded path / extension / process, exactly as the value name stores it. */
  value: string;
  kind: DefenderExclusionKind;
  source: DefenderExclusionSource;
  /** Key holding the value (evidence). */
  key: string;
}

/** What {@link readDefenderExclusions} found. */
export interface DefenderExclusions {
  exclusions: DefenderExclusion[];
  /** Path exclusions only (the common question), in the same order. */
  paths: DefenderExclusion[];
  /** `HideExclusionsFromLocalAdmins` policy is 1. */
  hiddenFromLocalAdmins: boolean;
  /** Keys that existed and were read. */
  evidence: string[];
  source: string;
}

const BASES: Array<[DefenderExclusionSource, string]> = [
  ["local", "HKLM\\SOFTWARE\\Microsoft\\Windows Defender"],
  ["policy", "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender"],
];
const KINDS: Array<[DefenderExclusionKind, string]> = [
  ["path", "Paths"],
  ["extension", "Extensions"],
  ["process", "Processes"],
];

/** Reads Defender exclusions (local and policy). Never throws for missing keys. */
export async function readDefenderExclusions(port: RegistryPort): Promise<DefenderExclusions> {
  const result: DefenderExclusions = {
    exclusions: [],
    paths: [],
    hiddenFromLocalAdmins: false,
    evidence: [],
    source: port.describe(),
  };
  for (const [source, base] of BASES) {
    for (const [kind, sub] of KINDS) {
      const key = `${base}\\Exclusions\\${sub}`;
      const k = await port.getKey(key);
      if (k === undefined) continue;
      result.evidence.push(key);
      for (const v of k.values) {
        if (v.name === "") continue; // the key's default value is not an exclusion
        result.exclusions.push({ value: v.name, kind, source, key });
      }
    }
  }
  const policyKey = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender";
  const policy = await port.getKey(policyKey);
  if (policy !== undefined) result.evidence.push(policyKey);
  result.hiddenFromLocalAdmins = valueAsNumber(findValue(policy, "HideExclusionsFromLocalAdmins")) === 1;
  result.paths = result.exclusions.filter((e) => e.kind === "path");
  return result;
}
