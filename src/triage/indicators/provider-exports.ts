/**
 * Our own signal: a file that presents itself as the MAPI provider (by name or version
 * resource) but lacks the provider entry points the knowledge file requires
 * (`MSProviderInit`, `XPProviderInit`). MAPI could not use it as a provider, so it is not one.
 *
 * Source: PRODUCT.md "Signals beyond the seed table"; koff-facts.md §2 (S31).
 */
import { claimsToBeProvider } from "../provider-name.js";
import type { TriageSubject } from "../subject.js";
import type { Indicator } from "../types.js";

export function providerExportsIndicator(s: TriageSubject): Indicator {
  const base = { id: "provider-exports", source: "koff-doctor", row: "Identity" } as const;
  if (!claimsToBeProvider(s.fileName, s.pe, s.knowledge)) {
    return { ...base, level: "ok", evidence: "does not present itself as the MAPI provider DLL", cell: null };
  }
  const exported = new Set((s.pe.exports?.functions ?? []).map((f) => f.name).filter(Boolean));
  const missing = s.knowledge.requiredExports.filter((name) => !exported.has(name));
  if (missing.length === 0) {
    return {
      ...base,
      level: "ok",
      evidence: `exports the provider entry points ${s.knowledge.requiredExports.join(", ")}`,
      cell: null,
    };
  }
  const has = [...exported].slice(0, 8).join(", ") || "nothing";
  return {
    ...base,
    level: "suspicious",
    evidence: `presents itself as the provider DLL but lacks ${missing.join(", ")} (exports: ${has})`,
    cell: "koff-doctor × Suspicious: named like the MAPI provider without its entry points",
    details: { missing, exports: [...exported] },
  };
}
