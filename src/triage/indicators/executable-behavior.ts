/**
 * Indicator-table row "File size", Malicious cell "Executable behavior detected". Our reading
 * (docs/verdict.md, "The indicators"):
 * an EXE posing as a DLL, or injection / execution / download imports ({@link IMPORT_RULES}).
 */
import { IMPORT_RULES } from "../behavior-rules.js";
import { seedCell } from "../seed-table.js";
import type { TriageSubject } from "../subject.js";
import type { Indicator } from "../types.js";

const DLL_EXTENSIONS = /\.(dll|ocx|cpl|drv)$/i;

export function executableBehaviorIndicator(s: TriageSubject): Indicator {
  const base = { id: "executable-behavior", source: "seed", row: "File size" } as const;
  const findings: string[] = [];
  const matched: Record<string, string[]> = {};

  if (DLL_EXTENSIONS.test(s.fileName) && !s.pe.fileHeader.isDll) {
    findings.push(`named ${s.fileName} but is an EXE (IMAGE_FILE_DLL not set)`);
  }

  const imported = new Set<string>();
  for (const m of s.pe.imports) for (const f of m.functions) if (f.name) imported.add(f.name);
  for (const rule of IMPORT_RULES) {
    const hits = rule.allOf.map((group) => group.filter((name) => imported.has(name)));
    if (hits.every((h) => h.length > 0)) {
      matched[rule.id] = hits.flat();
      findings.push(`${rule.description} (${hits.flat().join(" + ")})`);
    }
  }

  if (findings.length > 0) {
    return {
      ...base,
      level: "malicious",
      evidence: findings.join("; "),
      cell: seedCell("File size", "malicious", "EXE posing as DLL, or injection/execution/download imports"),
      details: { isDll: s.pe.fileHeader.isDll, rules: matched },
    };
  }
  return {
    ...base,
    level: "ok",
    evidence: `${s.pe.fileHeader.isDll ? "a DLL" : "an EXE"}; no injection, execution or download imports`,
    cell: null,
    details: { isDll: s.pe.fileHeader.isDll },
  };
}
