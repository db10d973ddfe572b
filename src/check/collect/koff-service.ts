/**
 * Which MAPI message services are KOFF's: those whose DLL is named like the provider, or whose
 * display name is the product's, so a planted DLL under another name does not hide the
 * registration.
 *
 * Source: Microsoft, "MapiSvc.inf" ([Services] section)
 * (https://learn.microsoft.com/office/client-developer/outlook/mapi/mapisvc-inf-file-format).
 */
import type { ConnectorKnowledge } from "../../knowledge/index.js";

/** True for a KOFF message service (see the module comment). */
export function isKoffService(
  k: ConnectorKnowledge,
  service: { isKoff: boolean; displayName?: string },
): boolean {
  return service.isKoff || k.productNamePattern.test(service.displayName ?? "");
}
