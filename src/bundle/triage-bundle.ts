/**
 * `triage --bundle FILE.zip`: triages the PE files a bundle carries, reported by the Windows
 * paths they had. The connector binaries and stray provider DLLs are triaged as `check` triages
 * them (with their load positions from MAPISVC.INF and profiles); every other carried `.dll` or
 * `.exe` is triaged with the EXEs carried next to it as possible loaders.
 *
 * Source: issue 6 ("triage --bundle FILE.zip triages the DLLs inside it"); PRODUCT.md "triage".
 */
import { gatherFacts } from "../check/gather.js";
import type { ConnectorKnowledge } from "../knowledge/index.js";
import { parsePe } from "../pe/index.js";
import { joinWindowsPath, windowsBasename, windowsDirname, windowsPathKey } from "../paths/windows-path.js";
import { triageFile, type LoadPosition, type SignatureVerifier, type TriageRecord } from "../triage/index.js";
import type { BundleSnapshot } from "./bundle-reader.js";

/** Options of {@link triageBundle}. */
export interface BundleTriageOptions {
  knowledge: ConnectorKnowledge;
  verifySignature: SignatureVerifier;
}

const PE_NAME = /\.(dll|exe)$/i;

/** EXEs carried next to `path` whose imports name it. */
async function carriedLoaders(snapshot: BundleSnapshot, path: string): Promise<LoadPosition[]> {
  const dir = windowsDirname(path);
  const name = windowsBasename(path).toLowerCase();
  const out: LoadPosition[] = [];
  for (const e of ((await snapshot.fs.list(dir)) ?? [])
    .filter((x) => x.kind === "file" && /\.exe$/i.test(x.name))
    .slice(0, 64)) {
    const exe = joinWindowsPath(dir, e.name);
    const bytes = await snapshot.fs.readFile(exe, 64 * 1024 * 1024);
    if (!bytes) continue;
    try {
      if (parsePe(bytes, { mode: "permissive" }).imports.some((m) => m.dll.toLowerCase() === name))
        out.push({ kind: "next-to-exe", where: exe });
    } catch {
      // Not a PE image: it loads nothing.
    }
  }
  return out;
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
    if (!bytes) continue;
    records.push(
      await triageFile(
        {
          path: f.path,
          fileName: windowsBasename(f.path),
          bytes,
          windowsPath: f.path,
          windowsPathOrigin: "image",
          loadPositions: await carriedLoaders(snapshot, f.path),
        },
        options,
      ),
    );
  }
  return records;
}
