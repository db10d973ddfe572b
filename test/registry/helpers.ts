/**
 * Shared helpers of the registry tests: fixture paths, hivex availability, the normalization
 * used to compare our `.reg` export with `hivexregedit --export`, and a seeded PRNG.
 *
 * Normalization (documented in docs/registry.md, "Round trip against hivex"): both texts are
 * parsed with our `.reg` parser and applied to a key tree; then keys are listed by upper-cased
 * full path (hivex sorts with Perl `cmp`, we keep the hive's stored order), a trailing `\` of a key
 * path is dropped (hivex prints the root as `[prefix\]`), values are listed by upper-cased name,
 * and each value compares as type number + raw data bytes in hex (hivex writes strings as
 * `hex(1):`, we write `"…"`; both denote the same bytes). hivex prints non-ASCII names in Perl's
 * native encoding (Latin-1 bytes when every character is < 256, else UTF-8), so its output is
 * decoded line by line: UTF-8 when valid, Latin-1 otherwise.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { applyRegOperations, parseRegFile, type RegTreeKey } from "../../src/registry/index.js";

/** Repository root (this file runs from dist/test/registry/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
/** fixtures/hives/ */
export const hiveFixtureDir = path.join(repoRoot, "fixtures", "hives");

/** Every committed fixture hive file name. */
export const fixtureHives = [
  "empty.hiv",
  "SOFTWARE.hiv",
  "ntuser-office16.hiv",
  "ntuser-office15.hiv",
  "ntuser-wms.hiv",
  "ntuser-writer.hiv",
] as const;

/** Path of `hivexregedit`, or `undefined` when it is not installed. */
export function hivexregeditPath(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const p = path.join(dir, "hivexregedit");
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/** `hivexregedit --export --prefix PREFIX HIVE '\'` as text, decoded per line (UTF-8, else Latin-1). */
export function hivexExport(hiveFile: string, prefix: string): string {
  const out = execFileSync("hivexregedit", ["--export", "--prefix", prefix, hiveFile, "\\"], {
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const latin1 = new TextDecoder("latin1");
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i <= out.length; i++) {
    if (i === out.length || out[i] === 0x0a) {
      const line = out.subarray(start, i);
      try {
        lines.push(utf8.decode(line));
      } catch {
        lines.push(latin1.decode(line));
      }
      start = i + 1;
    }
  }
  return lines.join("\n");
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/** The normalized listing of a `.reg` text (see the module comment). */
export function normalizeRegText(text: string): string[] {
  const tree = applyRegOperations(parseRegFile(text).operations);
  const rows: Array<[string, string]> = [];
  const visit = (k: RegTreeKey, p: string): void => {
    if (p !== "") {
      const values = [...k.values].sort((a, b) => cmp(a.name.toUpperCase(), b.name.toUpperCase()));
      rows.push([
        p.toUpperCase(),
        `[${p}] ` + values.map((v) => `${JSON.stringify(v.name)}=${v.type}:${hex(v.data)}`).join(" "),
      ]);
    }
    for (const c of k.subkeys) visit(c, p === "" ? c.name : `${p}\\${c.name}`);
  };
  visit(tree, "");
  return rows.sort((a, b) => cmp(a[0], b[0])).map((r) => r[1]);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A small seeded PRNG (mulberry32): deterministic sequences of uint32. */
export { seededUint32 as prng } from "../helpers/prng.js";
