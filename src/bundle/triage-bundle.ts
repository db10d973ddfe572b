/**
 * `triage --bundle FILE.zip`: triages the PE files a bundle carries, reported by the Windows
 * paths they had. The connector binaries and stray provider DLLs are triaged as `check` triages
 * them (with their load positions from MAPISVC.INF and profiles); every other carried `.dll` or
 * `.exe` is triaged with the modules carried next to it as possible loaders (one folder scan
 * per folder, src/triage/sibling-loaders.ts). In a redacted bundle, a PE whose bytes were
 * withheld is reported by the triage record carried for it (pe-facts.ts).
 *
 * Source: issue 6 ("triage --bundle FILE.zip triages the DLLs inside it"); PRODUCT.md "triage".
 */
import { gatherFacts } from "../check/gather.js";
import type { ConnectorKnowledge } from "../knowledge/index.js";
import type { FileSystemPort } from "../ports/file-system.js";
import { windowsBasename, windowsDirname, windowsPathKey } from "../paths/windows-path.js";
import { triageFile, type SignatureVerifier, type TriageRecord } from "../triage/index.js";
import { fileSystemFolderScans, type FolderScans } from "../triage/sibling-loaders.js";
import type { BundleSnapshot } from "../ports/snapshot.js";

/** Options of {@link triageBundle}. */
export interface BundleTriageOptions {
  knowledge: ConnectorKnowledge;
  verifySignature: SignatureVerifier;
}

const PE_NAME = /\.(dll|exe)$/i;

/**
 * Triage of one file outside `check`'s set, with the modules next to it (on `fs`) as possible
 * loaders. `collect --redact` uses it for PE files it withholds, `triage --bundle` for the rest.
 * @param folderScans - the run's folder scans (default: a fresh one over `fs`).
 */
export async function triageCarriedFile(
  fs: FileSystemPort,
  path: string,
  bytes: Uint8Array,
  options: BundleTriageOptions,
  folderScans: FolderScans = fileSystemFolderScans(fs),
): Promise<TriageRecord> {
  const sideLoading = await folderScans.sideLoadersOf(windowsDirname(path), windowsBasename(path));
  return triageFile(
    {
      path,
      fileName: windowsBasename(path),
      bytes,
      windowsPath: path,
      windowsPathOrigin: "image",
      loadPositions: sideLoading.positions,
      siblingSearch: sideLoading.search,
    },
    options,
  );
}

/**
 * Triage records of every PE file in the bundle, connector binaries and strays first.
 * @throws BundleError when a member fails verification while being read.
 */
export async function triageBundle(
  snapshot: BundleSnapshot,
  options: BundleTriageOptions,
): Promise<TriageRecord[]> {
  // One folder scan per folder for the whole bundle, shared with gatherFacts.
  const folderScans = fileSystemFolderScans(snapshot.fs);
  const facts = await gatherFacts(snapshot, { ...options, folderScans });
  const records = [...facts.triage];
  const done = new Set(records.map((r) => windowsPathKey(r.windowsPath ?? r.path)));
  const others = snapshot.fs
    .carriedFiles()
    .filter((f) => PE_NAME.test(f.path) && !done.has(windowsPathKey(f.path)))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const f of others) {
    const bytes = await snapshot.fs.readFile(f.path);
    if (bytes) records.push(await triageCarriedFile(snapshot.fs, f.path, bytes, options, folderScans));
  }
  // Redacted bundles: PE files whose bytes were withheld, judged by the record carried for them.
  for (const f of snapshot.fs
    .withheldFiles()
    .filter((x) => PE_NAME.test(x.path) && !done.has(windowsPathKey(x.path)))
    .sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const facts = await snapshot.fs.carriedPeFacts(f.path);
    if (facts) records.push(facts.triage);
  }
  return records;
}
