/**
 * Writes a collected bundle to disk: the zip, and with redaction the local mapping file
 * `FILE.zip.redaction-map.json` (mode 0600) next to it. The mapping never goes into the zip.
 *
 * Source: docs/bundle.md ("Redaction": the mapping stays on the local machine).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { CollectedBundle } from "./collect.js";
import { BundleError } from "./errors.js";
import { writeZipFile } from "./zip-writer.js";

/** Where {@link writeBundle} put things. */
export interface WrittenBundle {
  file: string;
  /** Zip size in bytes. */
  size: number;
  members: number;
  /** The local redaction map, when the bundle is redacted. */
  redactionMap?: string;
}

/** The local redaction-map path for bundle `file`. */
export function redactionMapPath(file: string): string {
  return `${file}.redaction-map.json`;
}

/**
 * Writes `bundle` to `file` (replacing it) and, when redacted, its local redaction map.
 * @throws BundleError `write-failed`.
 */
export async function writeBundle(file: string, bundle: CollectedBundle): Promise<WrittenBundle> {
  const size = await writeZipFile(file, bundle.members, new Date(bundle.manifest.createdAt));
  const out: WrittenBundle = { file, size, members: bundle.members.length };
  if (bundle.redaction) {
    const mapFile = redactionMapPath(file);
    const doc = {
      bundle: path.basename(file),
      createdAt: bundle.manifest.createdAt,
      note: "Local only: maps the bundle's redaction tokens back to the real values. Never send this file.",
      entries: bundle.redaction.entries,
      skipped: bundle.redaction.skipped,
    };
    try {
      await writeFile(mapFile, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    } catch (e) {
      throw new BundleError("write-failed", `cannot write ${mapFile}: ${(e as Error).message}`, { cause: e });
    }
    out.redactionMap = mapFile;
  }
  return out;
}
