/**
 * Side-loading: EXEs in the same folder as a DLL that import it by name would load that copy
 * (the application folder comes first in the DLL search order). One scan, with its I/O injected,
 * serves both host files (`triage`) and snapshots (`check`).
 *
 * Source: windows-mapi-facts.md §6 (search order); PRODUCT.md Location row ("next to an EXE that would load it").
 */
import { parsePe } from "../pe/index.js";
import type { LoadPosition } from "./subject.js";

/** EXEs examined per folder, and the largest one read (bytes). */
export const MAX_SIBLING_EXES = 64;
export const MAX_SIBLING_EXE_BYTES = 64 * 1024 * 1024;

export interface SiblingExe {
  /** How the EXE is named in evidence (its Windows path when known). */
  where: string;
  /** Its bytes, or `undefined` when it cannot be read or is over the cap. */
  read(): Promise<Uint8Array | undefined>;
  /** The DLL names it imports when its bytes cannot be read but its facts are known (redacted bundles). */
  imports?(): Promise<readonly string[] | undefined>;
}

/** The load positions `dllName` gets from `exes` (only `.dll` names can be imported). */
export async function siblingLoaders(dllName: string, exes: readonly SiblingExe[]): Promise<LoadPosition[]> {
  const name = dllName.toLowerCase();
  if (!name.endsWith(".dll")) return [];
  const out: LoadPosition[] = [];
  for (const exe of exes.slice(0, MAX_SIBLING_EXES)) {
    const bytes = await exe.read();
    if (!bytes) {
      const carried = await exe.imports?.();
      if (carried?.some((m) => m.toLowerCase() === name)) out.push({ kind: "next-to-exe", where: exe.where });
      continue;
    }
    try {
      if (parsePe(bytes).imports.some((m) => m.dll.toLowerCase() === name))
        out.push({ kind: "next-to-exe", where: exe.where });
    } catch {
      // Not a PE image: it loads nothing.
    }
  }
  return out;
}
