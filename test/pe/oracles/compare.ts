/**
 * Test helper: compares parsePe() with one pefile-dump.py record and lists the differences as
 * short strings (empty when they agree). Like for like: pefile's DIRECTORY_ENTRY_IMPORT count vs
 * our non-delay functions, DIRECTORY_ENTRY_DELAY_IMPORT vs our `delayLoad` ones; pefile's
 * `get_entropy()` vs our section entropy (±0.01); pefile's first-wins merge of StringTable
 * entries vs our `versionInfo.strings`.
 */
import type { PeImage } from "../../../src/pe/index.js";

/** One line of pefile-dump.py output. */
export interface PefileRecord {
  path: string;
  ok: boolean;
  error?: string;
  machine?: number;
  sections?: { name: string; sizeOfRawData: number; entropy: number }[];
  importModules?: number;
  imports?: number;
  delayImportModules?: number;
  delayImports?: number;
  exports?: number | null;
  versionStrings?: Record<string, string>;
  checksum?: number;
  warnings?: number;
}

/** Differences between our parse and pefile's, as `"field: ours vs pefile"` strings. */
export function comparePefile(pe: PeImage, ref: PefileRecord): string[] {
  const diffs: string[] = [];
  const diff = (field: string, ours: unknown, theirs: unknown): void => {
    if (JSON.stringify(ours) !== JSON.stringify(theirs))
      diffs.push(`${field}: ${JSON.stringify(ours)} vs ${JSON.stringify(theirs)}`);
  };
  diff("machine", pe.fileHeader.machine, ref.machine);
  const theirs = ref.sections ?? [];
  diff("section count", pe.sections.length, theirs.length);
  pe.sections.forEach((s, i) => {
    const t = theirs[i];
    if (t === undefined) return;
    diff(`section ${i} name`, s.name, t.name);
    diff(`section ${i} SizeOfRawData`, s.sizeOfRawData, t.sizeOfRawData);
    if (Math.abs(s.entropy - t.entropy) > 0.01)
      diffs.push(`section ${i} entropy: ${s.entropy} vs ${t.entropy}`);
  });
  const normal = pe.imports.filter((m) => !m.delayLoad);
  const delay = pe.imports.filter((m) => m.delayLoad);
  const count = (ms: typeof pe.imports): number => ms.reduce((n, m) => n + m.functions.length, 0);
  diff("import modules", normal.length, ref.importModules);
  diff("imported functions", count(normal), ref.imports);
  diff("delay import modules", delay.length, ref.delayImportModules);
  diff("delay-imported functions", count(delay), ref.delayImports);
  diff("exports", pe.exports?.functions.length ?? null, ref.exports ?? null);
  const sorted = (o: Record<string, string> | undefined): [string, string][] =>
    Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  diff("version strings", sorted(pe.versionInfo?.strings), sorted(ref.versionStrings));
  diff("checksum", pe.computedCheckSum, ref.checksum);
  return diffs;
}
