/**
 * `triage --bundle FILE.zip`: triages the PE files a bundle carries, reported by the Windows
 * paths they had. The connector binaries and stray provider DLLs are triaged as `check` triages
 * them (with their load positions from MAPISVC.INF and profiles); every other carried `.dll` or
 * `.exe` is triaged with the modules carried next to it as possible loaders (one folder scan
 * per folder, src/triage/sibling-loaders.ts). In a redacted bundle, a PE whose bytes were
 * withheld is reported by the triage record carried for it (pe-facts.ts).
 *
 * Source: docs/bundle.md; docs/verdict.md (how triage reaches a verdict).
 */
import { gatherFacts } from "../check/gather.js";
import type { ConnectorKnowledge } from "../knowledge/index.js";
import type { FileSystemPort } from "../ports/file-system.js";
import { windowsPathKey } from "../paths/windows-path.js";
import type { SignatureVerifier, TriageRecord } from "../triage/index.js";
import { fileSystemFolderScans, type FolderScans } from "../triage/sibling-loaders.js";
import { triagePortFile, triageSnapshotFiles } from "../triage/triage-snapshot-files.js";
import type { BundleSnapshot } from "../ports/snapshot.js";

/** Options of {@link triageBundle}. */
export interface BundleTriageOptions {
  knowledge: ConnectorKnowledge;
  verifySignature: SignatureVerifier;
}

const PE_NAME = /\.(dll|exe)$/i;

/**
 * Triage of one file outside `check`'s set, with the modules next to it (on `fs`) as possible
 * loaders: {@link triagePortFile} with bytes in hand. `collect --redact` uses it for PE files it
 * withholds.
 * @param folderScans - the run's folder scans (default: a fresh one over `fs`).
 */
export async function triageCarriedFile(
  fs: FileSystemPort,
  path: string,
  bytes: Uint8Array,
  options: BundleTriageOptions,
  folderScans: FolderScans = fileSystemFolderScans(fs),
): Promise<TriageRecord> {
  return triagePortFile(fs, path, bytes, options, folderScans);
}

/**
 * Triage records of every PE file in the bundle: connector binaries and strays first (as
 * `check` triages them), then every other carried `.dll` or `.exe`, then, in a redacted bundle,
 * the PE files whose bytes were withheld (judged by the record carried for them); each group
 * sorted by path.
 * @throws BundleError when a member fails verification while being read.
 */
export async function triageBundle(
  snapshot: BundleSnapshot,
  options: BundleTriageOptions,
): Promise<TriageRecord[]> {
  // One folder scan per folder for the whole bundle, shared with gatherFacts.
  const folderScans = fileSystemFolderScans(snapshot.fs);
  const facts = await gatherFacts(snapshot, { ...options, folderScans });
  const done = new Set(facts.triage.map((r) => windowsPathKey(r.windowsPath ?? r.path)));
  const rest = (files: ReadonlyArray<{ path: string }>) =>
    files
      .filter((f) => PE_NAME.test(f.path) && !done.has(windowsPathKey(f.path)))
      .sort((a, b) => (a.path < b.path ? -1 : 1))
      .map((f) => f.path);
  const others = await triageSnapshotFiles(
    snapshot,
    [...rest(snapshot.fs.carriedFiles()), ...rest(snapshot.fs.withheldFiles())],
    { ...options, folderScans, windowsPathOrigin: "image" },
  );
  return [...facts.triage, ...others.filter((r): r is TriageRecord => r !== undefined)];
}
