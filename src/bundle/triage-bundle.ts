/**
 * `triage --bundle FILE.zip`: triages the PE files a bundle carries, reported by the Windows
 * paths they had. The connector binaries and stray provider DLLs are triaged as `check` triages
 * them (with their load positions from MAPISVC.INF and profiles); every other carried `.dll` or
 * `.exe` is triaged with the EXEs carried next to it as possible loaders. In a redacted bundle, a
 * PE whose bytes were withheld is reported by the triage record carried for it (pe-facts.ts).
 *
 * Source: issue 6 ("triage --bundle FILE.zip triages the DLLs inside it"); PRODUCT.md "triage".
 */
import { gatherFacts } from "../check/gather.js";
import type { ConnectorKnowledge } from "../knowledge/index.js";
import type { FileSystemPort } from "../ports/file-system.js";
import { joinWindowsPath, windowsBasename, windowsDirname, windowsPathKey } from "../paths/windows-path.js";
import { triageFile, type LoadPosition, type SignatureVerifier, type TriageRecord } from "../triage/index.js";
import { MAX_SIBLING_EXE_BYTES, siblingLoaders } from "../triage/sibling-loaders.js";
import type { BundleSnapshot } from "./bundle-reader.js";

/** Options of {@link triageBundle}. */
export interface BundleTriageOptions {
  knowledge: ConnectorKnowledge;
  verifySignature: SignatureVerifier;
}

const PE_NAME = /\.(dll|exe)$/i;

/**
 * EXEs next to `path` whose imports name it: read from their bytes, or (a redacted bundle) from
 * the imports carried for an EXE whose bytes were withheld.
 */
async function carriedLoaders(fs: FileSystemPort, path: string): Promise<LoadPosition[]> {
  const dir = windowsDirname(path);
  const exes = ((await fs.list(dir)) ?? [])
    .filter((x) => x.kind === "file" && /\.exe$/i.test(x.name))
    .map((e) => {
      const where = joinWindowsPath(dir, e.name);
      return {
        where,
        read: () => fs.readFile(where, MAX_SIBLING_EXE_BYTES),
        imports: async () => (await fs.carriedPeFacts?.(where))?.imports,
      };
    });
  return siblingLoaders(windowsBasename(path), exes);
}

/**
 * Triage of one file outside `check`'s set, with the EXEs next to it (on `fs`) as possible
 * loaders. `collect --redact` uses it for PE files it withholds, `triage --bundle` for the rest.
 */
export async function triageCarriedFile(
  fs: FileSystemPort,
  path: string,
  bytes: Uint8Array,
  options: BundleTriageOptions,
): Promise<TriageRecord> {
  return triageFile(
    {
      path,
      fileName: windowsBasename(path),
      bytes,
      windowsPath: path,
      windowsPathOrigin: "image",
      loadPositions: await carriedLoaders(fs, path),
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
  const facts = await gatherFacts(snapshot, options);
  const records = [...facts.triage];
  const done = new Set(records.map((r) => windowsPathKey(r.windowsPath ?? r.path)));
  const others = snapshot.fs
    .carriedFiles()
    .filter((f) => PE_NAME.test(f.path) && !done.has(windowsPathKey(f.path)))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const f of others) {
    const bytes = await snapshot.fs.readFile(f.path);
    if (bytes) records.push(await triageCarriedFile(snapshot.fs, f.path, bytes, options));
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
