/**
 * Collector `host`: who the machine is, for a fleet (docs/fleet.md "The host block"): a stable
 * host id, the computer and domain names, the Windows product, build and version, and the user.
 *
 * Sources: the host id is `MachineGuid` under `HKLM\SOFTWARE\Microsoft\Cryptography`, which
 * Windows Setup writes once per installation
 * (https://learn.microsoft.com/en-us/windows-hardware/manufacture/desktop/sysprep--generalize--a-windows-installation);
 * the Windows version values are those of `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`;
 * the computer name is `Control\ComputerName\ComputerName` of the control set `HKLM\SYSTEM\Select`
 * names current, and the TCP/IP parameters of `Services\Tcpip\Parameters`
 * (https://learn.microsoft.com/en-us/troubleshoot/windows-server/networking/tcpip-and-nbt-configuration-parameters).
 */
import { createHash } from "node:crypto";
import type { RegistryPort } from "../../ports/registry.js";
import { findValue, valueAsNumber, valueAsString } from "../../windows/index.js";
import type { HostFacts } from "../facts.js";
import { defineCollector } from "./collector.js";

const CURRENT_VERSION = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
const CRYPTOGRAPHY = "HKLM\\SOFTWARE\\Microsoft\\Cryptography";
const LOGON_UI = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Authentication\\LogonUI";
/** CurrentVersion values that identify one Windows installation, hashed when there is no MachineGuid. */
const IDENTITY_VALUES = ["ProductId", "InstallDate", "InstallTime", "BuildGUID", "RegisteredOwner"];
/** A GUID as MachineGuid holds it (braces optional). */
const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
/** A MachineGuid a redacted bundle carries: {@link hashedMachineGuid} of the real one. */
const HASHED_GUID = /^\{?(sha256:[0-9a-f]{64})\}?$/;

/**
 * The host id a redacted bundle gives a machine instead of its MachineGuid: `sha256:` and the
 * lower-case hex SHA-256 of the GUID's canonical text (lower case, no braces, UTF-8). Unsalted,
 * so the same installation keeps the same id across collections and an administrator who knows
 * a GUID can compute its id; one-way, and a GUID's 122 random bits make guessing it hopeless.
 * `guid` may be braced and in any letter case; a value that is not a GUID is hashed as given.
 */
export function hashedMachineGuid(guid: string): string {
  const canonical = GUID.exec(guid.trim())?.[1]?.toLowerCase() ?? guid;
  return `sha256:${sha256(canonical)}`;
}

/** A non-empty trimmed string value, or undefined. */
async function stringValue(reg: RegistryPort, key: string, name: string): Promise<string | undefined> {
  const v = valueAsString(findValue(await reg.getKey(key), name))?.trim();
  return v === undefined || v === "" ? undefined : v;
}

/** `HKLM\SYSTEM\ControlSet00N` of `Select\Current`, else `CurrentControlSet`. */
async function currentControlSet(reg: RegistryPort): Promise<string> {
  const current = valueAsNumber(findValue(await reg.getKey("HKLM\\SYSTEM\\Select"), "Current"));
  const set =
    current !== undefined && Number.isSafeInteger(current) && current > 0 && current < 1000
      ? `ControlSet${String(current).padStart(3, "0")}`
      : "CurrentControlSet";
  return `HKLM\\SYSTEM\\${set}`;
}

/**
 * The host id and where it came from: MachineGuid (or, in a redacted bundle, its hash); else a
 * hash of the identity values of the SOFTWARE hive; else a hash of the source description.
 */
async function hostId(reg: RegistryPort, source: string): Promise<Pick<HostFacts, "id" | "idSource">> {
  const machineGuid = (await stringValue(reg, CRYPTOGRAPHY, "MachineGuid")) ?? "";
  const guid = GUID.exec(machineGuid)?.[1];
  if (guid !== undefined) return { id: guid.toLowerCase(), idSource: "machine-guid" };
  const hashed = HASHED_GUID.exec(machineGuid)?.[1];
  if (hashed !== undefined) return { id: hashed, idSource: "machine-guid-sha256" };
  const key = await reg.getKey(CURRENT_VERSION);
  const identity = IDENTITY_VALUES.flatMap((name) => {
    const v = valueAsString(findValue(key, name));
    return v === undefined || v === "" ? [] : [`${name}=${v}`];
  });
  if (identity.length > 0)
    return { id: `sha256:${sha256(identity.join("\n"))}`, idSource: "software-identity" };
  return { id: `sha256:${sha256(source)}`, idSource: "source" };
}

/** The host block when the `host` collector did not finish: an id from the source description alone. */
export function sourceHost(source: string): HostFacts {
  return { id: `sha256:${sha256(source)}`, idSource: "source" };
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** `DOMAIN\alice` or `.\alice` → `alice`. */
function userName(logon: string | undefined): string | undefined {
  const name = logon?.slice(logon.lastIndexOf("\\") + 1).trim();
  return name === undefined || name === "" ? undefined : name;
}

export const hostCollector = defineCollector({
  name: "host",
  needs: ["registry"],
  provides: ["host"],
  timeLimitMs: 60_000,
  async collect(snapshot) {
    const reg = snapshot.registry;
    const set = await currentControlSet(reg);
    const tcpip = `${set}\\Services\\Tcpip\\Parameters`;
    const build = await stringValue(reg, CURRENT_VERSION, "CurrentBuild");
    const ubr = valueAsNumber(findValue(await reg.getKey(CURRENT_VERSION), "UBR"));
    const users = await reg.users();
    const host: HostFacts = {
      ...(await hostId(reg, snapshot.describe())),
      computerName:
        (await stringValue(reg, `${set}\\Control\\ComputerName\\ComputerName`, "ComputerName")) ??
        (await stringValue(reg, tcpip, "Hostname")),
      domain: (await stringValue(reg, tcpip, "Domain")) ?? (await stringValue(reg, tcpip, "NV Domain")),
      osProduct: await stringValue(reg, CURRENT_VERSION, "ProductName"),
      osBuild: build === undefined ? undefined : ubr === undefined ? build : `${build}.${ubr}`,
      osVersion:
        (await stringValue(reg, CURRENT_VERSION, "DisplayVersion")) ??
        (await stringValue(reg, CURRENT_VERSION, "ReleaseId")),
      user:
        userName(await stringValue(reg, LOGON_UI, "LastLoggedOnUser")) ??
        (users.length === 1 ? users[0]!.user : undefined),
    };
    // Absent, not undefined, where unknown: the JSON has no `"computerName": null` noise.
    for (const k of Object.keys(host) as Array<keyof HostFacts>) if (host[k] === undefined) delete host[k];
    return { facts: { host } };
  },
});
