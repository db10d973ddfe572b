/**
 * The bundle adapter (`--bundle FILE.zip`): an opened, verified bundle (src/bundle/bundle-reader.ts)
 * replayed as a {@link Snapshot} of mode `"bundle"`: files through {@link BundleFileSystem},
 * registry through the carried `.reg` exports, event-log records through {@link createBundleEventLog}.
 *
 * Source: docs/bundle.md ("How it works: record, then replay", "Reading is safe").
 */
import { createHash } from "node:crypto";
import type { Bundle } from "../../bundle/bundle-reader.js";
import type { BundleManifest } from "../../bundle/manifest.js";
import { BundleError } from "../../bundle/errors.js";
import { validateFsIndex } from "../../bundle/fs-index.js";
import { MEMBER } from "../../bundle/layout.js";
import { validateRegistryIndex } from "../../bundle/registry-members.js";
import type { BundleSnapshot } from "../../ports/snapshot.js";
import { createBundleEventLog } from "./bundle-event-log.js";
import { BundleFileSystem } from "./bundle-file-system.js";
import { createBundleRegistryPort } from "./bundle-registry.js";

/**
 * The snapshot `check --bundle` reads: files, registry and event-log records replayed from the
 * bundle; processes and network unknown; free disk space when the collector knew it.
 * @throws BundleError `member-invalid` when the snapshot index, registry exports or event records
 *   are missing or malformed.
 */
export async function createBundleSnapshot(
  bundle: Bundle,
): Promise<BundleSnapshot & { fs: BundleFileSystem }> {
  const describe = `bundle ${bundle.file}`;
  for (const m of [MEMBER.fsIndex, MEMBER.registryIndex])
    if (!bundle.memberNames.includes(m))
      throw new BundleError("member-invalid", `the bundle has no ${m}`, { path: m });
  const fs = new BundleFileSystem(
    validateFsIndex(await bundle.readJson(MEMBER.fsIndex), MEMBER.fsIndex),
    bundle.read,
    describe,
  );
  const registry = await createBundleRegistryPort(
    validateRegistryIndex(await bundle.readJson(MEMBER.registryIndex), MEMBER.registryIndex),
    bundle.read,
    describe,
  );
  let freeBytes: number | undefined;
  if (bundle.memberNames.includes(MEMBER.system)) {
    const sys = (await bundle.readJson(MEMBER.system)) as { freeDiskBytes?: unknown };
    if (Number.isSafeInteger(sys?.freeDiskBytes) && (sys.freeDiskBytes as number) >= 0)
      freeBytes = sys.freeDiskBytes as number;
  }
  const unknown: Record<string, string> = {
    processes: "bundle mode: a bundle does not carry running processes",
    network: "bundle mode: a bundle does not carry network connections",
  };
  const eventLog = await createBundleEventLog(bundle);
  if (!eventLog) unknown["events"] = "bundle mode: the bundle carries no event-log records";
  if (freeBytes === undefined)
    unknown["freeDiskBytes"] = "bundle mode: the collector did not know the free disk space";
  const omitted = fs.omitted();
  if (omitted.length > 0)
    unknown["omittedFiles"] =
      `bundle mode: ${omitted.length} file(s) were too large to carry: ` +
      omitted
        .slice(0, 5)
        .map((o) => o.path)
        .join(", ") +
      (omitted.length > 5 ? ", …" : "");
  return {
    mode: "bundle",
    fs,
    registry,
    disk: freeBytes === undefined ? undefined : { freeBytes: async () => freeBytes },
    eventLog,
    now: () => new Date(),
    describe: () => describe,
    unknown,
    provenance: {
      runId: bundle.manifest.runId ?? runIdOfManifest(bundle.manifest),
      collectedAt: new Date(bundle.manifest.createdAt),
    },
  };
}

/**
 * The run id of a bundle written before manifests carried one: a UUID-shaped digest of its
 * creation time and member list, so the same bundle always gets the same id.
 */
function runIdOfManifest(m: BundleManifest): string {
  const h = createHash("sha256")
    .update(JSON.stringify([m.createdAt, m.members]))
    .digest("hex");
  // RFC 9562 version 8 (custom), variant 10xx.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
