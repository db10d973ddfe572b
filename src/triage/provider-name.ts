/**
 * Whether a file presents itself as the connector's MAPI provider DLL: by its own name, or by the
 * OriginalFilename / InternalName of its version resource.
 */
import type { ConnectorKnowledge } from "../knowledge/index.js";
import type { PeImage } from "../pe/types.js";

export function claimsToBeProvider(
  fileName: string,
  pe: PeImage | undefined,
  knowledge: ConnectorKnowledge,
): boolean {
  if (knowledge.providerDllNames.includes(fileName.toLowerCase())) return true;
  const strings = pe?.versionInfo?.strings ?? {};
  const claimed = [strings["OriginalFilename"], strings["InternalName"]].filter((v): v is string => !!v);
  return claimed.some((v) => knowledge.providerDllNames.includes(v.toLowerCase()));
}

/**
 * File names that MAPI treats as the same provider: `kofmsp.dll` and `kofmsp32.dll` (MAPI
 * inserts "32" before the first period; windows-mapi-facts.md §2).
 */
export function sameProviderName(a: string, b: string): boolean {
  const strip = (n: string) => n.toLowerCase().replace(/^([^.]*?)32(\.|$)/, "$1$2");
  return strip(a) === strip(b);
}
