/**
 * `manifest.json`: the tool version, creation time, mode and source, and each member's sha256
 * and size. Reading a bundle checks every member against it; any difference is tampering.
 *
 * The manifest proves integrity against accidental or careless change, not authenticity:
 * whoever can rewrite a member can rewrite the manifest too (docs/bundle.md "Tampering").
 *
 * Source: issue 6 ("manifest.json with the tool version, creation time, mode, and each member's
 * sha256 and size"; "a manifest hash mismatch (reported as tampering)").
 */
import { createHash } from "node:crypto";
import { BundleError } from "./errors.js";
import { MEMBER } from "./layout.js";

/** One member line of the manifest. */
export interface ManifestMember {
  path: string;
  /** Bytes. */
  size: number;
  sha256: string;
}

/** `manifest.json` (schema version 1). */
export interface BundleManifest {
  schemaVersion: 1;
  kind: "koff-doctor-bundle";
  tool: { name: string; version: string };
  /** ISO 8601 UTC. */
  createdAt: string;
  /** The mode the bundle was collected in (`image` or `live`). */
  mode: string;
  /** What was collected, as `check` describes it (redacted with `--redact`). */
  source: string;
  redacted: boolean;
  /** Collection caps in force, in bytes / counts. */
  caps: Record<string, number>;
  /** What the collector noted: files not carried, members masked by redaction, skipped logs. */
  notes: string[];
  members: ManifestMember[];
}

/** Lower-case hex sha256 of `data`. */
export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Checks the shape of a parsed manifest.
 * @throws BundleError `manifest-invalid`.
 */
export function validateManifest(v: unknown): BundleManifest {
  const m = v as BundleManifest;
  const ok =
    typeof v === "object" &&
    v !== null &&
    m.schemaVersion === 1 &&
    m.kind === "koff-doctor-bundle" &&
    typeof m.createdAt === "string" &&
    typeof m.mode === "string" &&
    typeof m.source === "string" &&
    // The reader filters the notes (redaction masks): a non-array crashed it (fuzz regression).
    Array.isArray(m.notes) &&
    m.notes.every((n) => typeof n === "string") &&
    Array.isArray(m.members) &&
    m.members.every(
      (x) =>
        typeof x?.path === "string" &&
        Number.isSafeInteger(x.size) &&
        typeof x.sha256 === "string" &&
        /^[0-9a-f]{64}$/.test(x.sha256),
    );
  if (!ok)
    throw new BundleError("manifest-invalid", `${MEMBER.manifest} is not a version 1 bundle manifest`, {
      path: MEMBER.manifest,
    });
  return m;
}

/**
 * Compares the archive's member list with the manifest: every file member other than the
 * manifest must be listed with the same size, and every listed member must exist.
 * @throws BundleError `tampered` naming the member.
 */
export function checkMemberList(
  manifest: BundleManifest,
  members: ReadonlyMap<string, { size: number; isDirectory: boolean }>,
): void {
  const listed = new Map(manifest.members.map((m) => [m.path, m]));
  if (listed.size !== manifest.members.length) {
    // A path listed twice would be hashed twice on every check: a cheap way to burn time.
    const seen = new Set<string>();
    const dup = manifest.members.find((m) => (seen.has(m.path) ? true : (seen.add(m.path), false)));
    throw new BundleError(
      "manifest-invalid",
      `member ${dup?.path} is listed more than once in the manifest`,
      { path: dup?.path },
    );
  }
  for (const [name, m] of members) {
    if (m.isDirectory || name === MEMBER.manifest) continue;
    const l = listed.get(name);
    if (l === undefined)
      throw new BundleError("tampered", `member ${name} is not in the manifest: added after collection`, {
        path: name,
      });
    if (l.size !== m.size)
      throw new BundleError("tampered", `member ${name} has ${m.size} bytes, the manifest says ${l.size}`, {
        path: name,
        limit: l.size,
        actual: m.size,
      });
  }
  for (const l of manifest.members)
    if (!members.has(l.path))
      throw new BundleError(
        "tampered",
        `member ${l.path} is in the manifest but missing: removed after collection`,
        {
          path: l.path,
        },
      );
}
