/**
 * `triage --provider-like`: whether a judged file looks like the connector's MAPI provider in any
 * of the four ways an analyst hunting copies of it cares about. Each test reads the triage
 * record only (no second parse) and the connector knowledge (src/knowledge/koff.json):
 * - `name`: its file name matches the provider DLL pattern (`kofmsp` in `kofmsp.dll`,
 *   `kofmsp32.dll`, `kofmsp_old.dll`, …), or its version resource's OriginalFilename or
 *   InternalName does;
 * - `exports`: it exports a MAPI provider entry point the genuine DLL exports
 *   (`MSProviderInit`, `XPProviderInit`);
 * - `version-resource`: its CompanyName or ProductName is Kerio's or GFI's, or a name impostors
 *   use (Kofax, Tungsten Automation);
 * - `signer`: its primary signer is the vendor (whatever the signature's state).
 *
 * Source: docs/verdict.md ("Identity"); Microsoft, "MSProviderInit" and "XPProviderInit"
 * (https://learn.microsoft.com/office/client-developer/outlook/mapi/msproviderinit).
 */
import type { ConnectorKnowledge } from "../knowledge/index.js";
import type { TriageRecord } from "./record.js";

/** Why a file counts as provider-like. */
export type ProviderLikeReason = "name" | "exports" | "version-resource" | "signer";

/** The last component of a host or Windows path. */
function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf("/"), p.lastIndexOf("\\")) + 1);
}

/**
 * The ways `record` looks like the provider DLL; empty when it does not.
 * @param record - a triage record (an `error` record can only match by name).
 */
export function providerLikeReasons(
  record: TriageRecord,
  knowledge: ConnectorKnowledge,
): ProviderLikeReason[] {
  const reasons: ProviderLikeReason[] = [];
  const strings = record.pe?.versionInfo?.strings ?? {};
  const names = [baseName(record.path), record.windowsPath && baseName(record.windowsPath)];
  names.push(strings["OriginalFilename"], strings["InternalName"]);
  if (names.some((n) => n && knowledge.providerDllPattern.test(n))) reasons.push("name");
  const exported = new Set((record.pe?.exports ?? []).map((e) => e.name));
  if (knowledge.requiredExports.some((e) => exported.has(e))) reasons.push("exports");
  const company = strings["CompanyName"] ?? "";
  const product = strings["ProductName"] ?? "";
  const vendorish = [...knowledge.companyNamePatterns, ...knowledge.suspectCompanyPatterns];
  if (
    vendorish.some((p) => p.test(company) || p.test(product)) ||
    (product !== "" && knowledge.productNamePattern.test(product))
  )
    reasons.push("version-resource");
  const signer = record.signature?.signer;
  if (signer && knowledge.signerPatterns.some((p) => p.test(signer))) reasons.push("signer");
  return reasons;
}
