/**
 * Our own signal about the provider entry points (`MSProviderInit`, `XPProviderInit`, from the
 * knowledge file):
 *
 * - a file that presents itself as the MAPI provider (by name or version resource) but lacks
 *   them: MAPI could not use it as a provider, so it is not one;
 * - a file whose entry points are export *forwarders* to another module, whatever its name or
 *   signature: a proxy DLL. MAPI calls it, the loader resolves the forwarder to the other module
 *   (loading that module too), and the proxy's own DllMain has already run. This is how a
 *   side-loaded DLL keeps the real provider working while running its own code.
 *
 * Source: docs/verdict.md ("Proxy DLLs"); MSProviderInit / XPProviderInit
 * (https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/msproviderinit); PE/COFF
 * specification §6.3.2 "Export Address Table" (forwarder RVAs point inside the export section,
 * at an ASCII "DLL.Function" or "DLL.#ordinal"); MITRE ATT&CK T1574.001 / T1574.002 (DLL
 * search-order hijacking and side-loading, where proxying is the usual way to stay unnoticed).
 */
import { claimsToBeProvider } from "../provider-name.js";
import type { TriageSubject } from "../subject.js";
import type { Indicator } from "../types.js";

export function providerExportsIndicator(s: TriageSubject): Indicator {
  const base = { id: "provider-exports", source: "koff-doctor", row: "Identity" } as const;
  const required = s.knowledge.requiredExports;
  const functions = s.pe.exports?.functions ?? [];
  // The few required names, each looked up by a scan: cheaper than a map of a system DLL's
  // thousands of exports, built for every file of a disk. A name exported twice (a hostile
  // table: the loader's binary search may land on either entry) reads as a forwarder when any
  // of its entries forwards.
  const byName = new Map<string, (typeof functions)[number]>();
  for (const name of required) {
    const f =
      functions.find((e) => e.name === name && e.forwarder !== undefined) ??
      functions.find((e) => e.name === name);
    if (f !== undefined) byName.set(name, f);
  }

  // A forwarded entry point makes the file a proxy whether or not it claims the provider's name.
  const forwarded = required.flatMap((name) => {
    const target = byName.get(name)?.forwarder;
    return target === undefined ? [] : [{ name, target }];
  });
  if (forwarded.length > 0) {
    const list = forwarded.map((f) => `${f.name} → ${f.target}`).join(", ");
    const own = required.filter((n) => byName.has(n) && !forwarded.some((f) => f.name === n));
    const rest = own.length > 0 ? `; ${own.join(", ")} implemented in the file itself` : "";
    return {
      ...base,
      level: "suspicious",
      evidence: `proxy DLL: provider entry points are export forwarders to another module (${list})${rest}`,
      cell: "koff-doctor × Suspicious: the provider entry points forward to another module (a proxy DLL)",
      details: { forwarders: forwarded },
    };
  }

  if (!claimsToBeProvider(s.fileName, s.pe, s.knowledge)) {
    return { ...base, level: "ok", evidence: "does not present itself as the MAPI provider DLL", cell: null };
  }
  const missing = required.filter((name) => !byName.has(name));
  if (missing.length === 0) {
    return {
      ...base,
      level: "ok",
      evidence: `exports the provider entry points ${required.join(", ")} (implemented in the file, not forwarded)`,
      cell: null,
    };
  }
  const exported = [...new Set(functions.flatMap((f) => (f.name === undefined ? [] : [f.name])))];
  const has = exported.slice(0, 8).join(", ") || "nothing";
  return {
    ...base,
    level: "suspicious",
    evidence: `presents itself as the provider DLL but lacks ${missing.join(", ")} (exports: ${has})`,
    cell: "koff-doctor × Suspicious: named like the MAPI provider without its entry points",
    details: { missing, exports: exported },
  };
}
