/**
 * Bundle member `system.json`: the tool, the source, when it was collected, the Windows version,
 * computer and domain names, users and free disk space. The names are also the first values
 * redaction looks for.
 *
 * Source: docs/bundle.md ("Layout"). The values read are the ones Windows keeps under
 * `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion` and, for names, in the control set
 * `HKLM\SYSTEM\Select` names current (`Control\ComputerName`, `Services\Tcpip\Parameters`).
 */
import type { CheckReport } from "../../app/check-machine.js";
import type { RegistryPort } from "../../ports/registry.js";
import type { Snapshot } from "../../ports/snapshot.js";
import { toolInfo } from "../../version.js";
import { findValue, valueAsString } from "../../windows/index.js";
import { MEMBER } from "../layout.js";
import type { BundleMembers } from "./bundle-members.js";

/** What the registry says about the machine; each value `undefined` when absent or empty. */
export interface SystemFacts {
  productName: string | undefined;
  displayVersion: string | undefined;
  currentBuild: string | undefined;
  editionId: string | undefined;
  registeredOwner: string | undefined;
  computerName: string | undefined;
  /** TCP/IP host name. */
  hostname: string | undefined;
  /** TCP/IP `Domain`, else `NV Domain`. */
  domain: string | undefined;
}

/** A string value, or undefined when the key or value is absent or empty. */
async function stringValue(reg: RegistryPort, key: string, name: string): Promise<string | undefined> {
  const k = await reg.getKey(key);
  const v = k && valueAsString(findValue(k, name));
  return v === undefined || v === "" ? undefined : v;
}

/**
 * System facts, read through the registry port (pass the recording one: the keys travel in the
 * bundle): `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`, `HKLM\SYSTEM\Select` and, in
 * the current control set, `Control\ComputerName\ComputerName` and `Services\Tcpip\Parameters`.
 * Writes no member. Port failures propagate.
 */
export async function readSystemFacts(reg: RegistryPort): Promise<SystemFacts> {
  const nt = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
  const productName = await stringValue(reg, nt, "ProductName");
  const displayVersion = await stringValue(reg, nt, "DisplayVersion");
  const currentBuild = await stringValue(reg, nt, "CurrentBuild");
  const editionId = await stringValue(reg, nt, "EditionID");
  const registeredOwner = await stringValue(reg, nt, "RegisteredOwner");
  const select = await reg.getKey("HKLM\\SYSTEM\\Select");
  const current = select?.values.find((v) => v.name.toLowerCase() === "current")?.value;
  const set =
    typeof current === "number" ? `ControlSet${String(current).padStart(3, "0")}` : "CurrentControlSet";
  const sys = `HKLM\\SYSTEM\\${set}`;
  const computerName = await stringValue(reg, `${sys}\\Control\\ComputerName\\ComputerName`, "ComputerName");
  const tcpip = `${sys}\\Services\\Tcpip\\Parameters`;
  const hostname = await stringValue(reg, tcpip, "Hostname");
  const domain = (await stringValue(reg, tcpip, "Domain")) ?? (await stringValue(reg, tcpip, "NV Domain"));
  return {
    productName,
    displayVersion,
    currentBuild,
    editionId,
    registeredOwner,
    computerName,
    hostname,
    domain,
  };
}

/** What `system.json` is made of. */
export interface SystemMemberInput {
  source: Snapshot;
  createdAt: Date;
  system: SystemFacts;
  report: CheckReport;
  /** Free disk space the recording saw (live), in bytes. */
  recordedFreeDiskBytes: number | undefined;
}

/**
 * Writes `system.json` (redacted as JSON). Reads no port: `source.describe()` and what
 * {@link readSystemFacts} and the check found.
 */
export function writeSystemMember(out: BundleMembers, input: SystemMemberInput): void {
  const { source, system, report } = input;
  const facts = report.facts;
  out.putJson(MEMBER.system, {
    tool: toolInfo(),
    mode: source.mode,
    source: source.describe(),
    collectedAt: input.createdAt.toISOString(),
    windows: {
      productName: system.productName,
      displayVersion: system.displayVersion,
      currentBuild: system.currentBuild,
      editionId: system.editionId,
    },
    computerName: system.computerName ?? system.hostname,
    domain: system.domain,
    users: facts.users,
    freeDiskBytes: input.recordedFreeDiskBytes ?? facts.freeDiskBytes,
    unknown: facts.unknown,
    collector: { platform: process.platform, node: process.version },
  });
}
