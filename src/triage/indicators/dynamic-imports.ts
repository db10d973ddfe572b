/**
 * Our own signal for the indicator-table row "File size" (Malicious cell "Executable behavior detected"): a
 * module that imports `GetProcAddress` and carries the names of injection, execution or download
 * APIs as strings ({@link analyzeDynamicImports}). Suspicious, never malicious on its own:
 * carrying a name is not calling it, and diagnostic tools carry such names for good reasons.
 *
 * Source: docs/verdict.md ("Dynamic imports").
 */
import type { DynamicImportAnalysis } from "../dynamic-imports.js";
import type { Indicator } from "../types.js";

export function dynamicImportsIndicator(a: DynamicImportAnalysis): Indicator {
  const base = { id: "dynamic-imports", source: "koff-doctor", row: "File size" } as const;
  if (a.resolvers.length === 0) {
    return { ...base, level: "ok", evidence: "does not import GetProcAddress", cell: null };
  }
  if (a.names.length === 0) {
    return {
      ...base,
      level: "ok",
      evidence: `imports ${a.resolvers.join(", ")} but carries no injection, execution or download API names`,
      cell: null,
      details: { resolvers: a.resolvers },
    };
  }
  const list = a.names.map((n) => `${n.name}${n.encoding === "ascii" ? "" : " (UTF-16)"}`);
  return {
    ...base,
    level: "suspicious",
    evidence: `imports ${a.resolvers.join(", ")} and carries the API names ${[...new Set(list)].join(", ")} as strings (resolvable at run time)`,
    cell: "koff-doctor × Suspicious: resolves functions at run time and carries injection, execution or download API names",
    details: { resolvers: a.resolvers, names: a.names },
  };
}
