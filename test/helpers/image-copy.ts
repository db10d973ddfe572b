/** Scratch copies of sample images, and whole-tree hashing for byte-exact comparisons. */
import { createHash } from "node:crypto";
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { EXAMPLES } from "./repo.js";

/** Copies examples/<scenario> into a fresh temp folder; returns `{ root, image, state }`. */
export function copyImage(scenario: string): { root: string; image: string; state: string } {
  const root = mkdtempSync(path.join(tmpdir(), `koff-${scenario}-`));
  const image = path.join(root, "image");
  cpSync(path.join(EXAMPLES, scenario), image, { recursive: true });
  return { root, image, state: path.join(root, "state") };
}

/** relative path → sha256 of every regular file under `dir` (empty when it does not exist). */
export function hashTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const info = lstatSync(p);
      if (info.isDirectory()) walk(p);
      else if (info.isFile())
        out.set(path.relative(dir, p), createHash("sha256").update(readFileSync(p)).digest("hex"));
    }
  };
  walk(dir);
  return out;
}
